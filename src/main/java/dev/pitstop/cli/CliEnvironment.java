package dev.pitstop.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the CLI takes from the outside world. {@code main} passes the real one; tests pass their own
 * environment variables, writers and an in-memory cluster, and so exercise the real wiring.
 *
 * @param env environment variables ({@code PITSTOP_*} option defaults, secrets)
 * @param kubernetes makes a client; each command closes the client it made
 */
public record CliEnvironment(
    Map<String, String> env,
    PrintWriter out,
    PrintWriter err,
    Supplier<KubernetesClient> kubernetes,
    Clock clock) {}
