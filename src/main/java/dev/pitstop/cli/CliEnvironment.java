package dev.pitstop.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What the CLI takes from the outside world. {@code main} passes the real one; tests pass their own
 * environment variables, writers, an in-memory cluster and a connection decorator, and so exercise
 * the real wiring.
 *
 * @param env environment variables ({@code PITSTOP_*} option defaults, secrets)
 * @param kubernetes makes a client for a step: its deadline ({@code --timeout}) and where to find
 *     the cluster ({@code --kubeconfig}, {@code --context}); each command closes the client it made
 * @param connections applied to every database connection Pitstop opens (its own and Flyway's),
 *     right after the driver opened it; the identity in production
 */
public record CliEnvironment(
    Map<String, String> env,
    PrintWriter out,
    PrintWriter err,
    Function<KubeAccess, KubernetesClient> kubernetes,
    Clock clock,
    UnaryOperator<Connection> connections) {

  /**
   * What a command asks of the cluster connection.
   *
   * @param deadline the step's {@code --timeout}: no request outlasts it
   * @param kubeconfig {@code --kubeconfig}, or null for kubectl's rules (in a pod, its
   *     ServiceAccount; else {@code KUBECONFIG} or {@code ~/.kube/config})
   * @param context {@code --context}, or null for the kubeconfig's current context
   */
  public record KubeAccess(Duration deadline, java.nio.file.Path kubeconfig, String context) {}

  /** An environment whose client does not depend on the step's deadline (tests). */
  public CliEnvironment(
      Map<String, String> env,
      PrintWriter out,
      PrintWriter err,
      Supplier<KubernetesClient> kubernetes,
      Clock clock,
      UnaryOperator<Connection> connections) {
    this(env, out, err, access -> kubernetes.get(), clock, connections);
  }

  /** An environment whose database connections are used as the driver opens them. */
  public CliEnvironment(
      Map<String, String> env,
      PrintWriter out,
      PrintWriter err,
      Supplier<KubernetesClient> kubernetes,
      Clock clock) {
    this(env, out, err, kubernetes, clock, UnaryOperator.identity());
  }
}
