package dev.pitstop.testing;

import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.PitstopCli;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** Runs the real CLI wiring in-process, against a given cluster, capturing stdout and stderr. */
public final class CliRunner {
  private final Supplier<KubernetesClient> kubernetes;
  private final Map<String, String> env = new HashMap<>();
  private UnaryOperator<Connection> connections = UnaryOperator.identity();

  public CliRunner(Supplier<KubernetesClient> kubernetes) {
    this.kubernetes = kubernetes;
  }

  /** Clients for the in-memory server, with the client's own retries off as in production. */
  public static CliRunner against(KubernetesMockServer server) {
    return new CliRunner(() -> clientFor(server));
  }

  public static KubernetesClient clientFor(KubernetesMockServer server) {
    try (KubernetesClient template = server.createClient()) {
      return new KubernetesClientBuilder()
          .withConfig(
              new ConfigBuilder(template.getConfiguration())
                  .withRequestRetryBackoffLimit(0)
                  .build())
          .build();
    }
  }

  public CliRunner env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Every database connection the CLI opens passes through {@code decorator}. */
  public CliRunner connections(UnaryOperator<Connection> decorator) {
    this.connections = decorator;
    return this;
  }

  /** What one invocation printed and returned. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliEnvironment environment =
        new CliEnvironment(
            Map.copyOf(env),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            kubernetes,
            Clock.systemUTC(),
            connections);
    int code = PitstopCli.execute(environment, args);
    return new Result(code, out.toString(), err.toString());
  }
}
