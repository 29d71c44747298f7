package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.core.ExitCode;
import dev.pitstop.testing.UnansweringServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A step's --timeout bounds every request, not only the retries between them. */
class StepDeadlineTest {

  @Test
  void theClientsTimeoutsAreCutToAShortStepDeadline() {
    Config config = withinDeadline(Duration.ofSeconds(3));

    assertThat(config.getRequestTimeout()).isEqualTo(3_000);
    assertThat(config.getConnectionTimeout()).isEqualTo(3_000);
    assertThat(config.getRequestRetryBackoffLimit()).isZero();
  }

  @Test
  void aLongStepDeadlineKeepsThePerRequestLimits() {
    Config config = withinDeadline(Duration.ofMinutes(10));

    assertThat(config.getRequestTimeout()).isEqualTo(30_000);
    assertThat(config.getConnectionTimeout()).isEqualTo(10_000);
  }

  @Test
  @Timeout(25) // guards against a request held for the client's own 30 s; not a speed check
  void aServerThatNeverAnswersEndsTheStepAsTransient() {
    StringWriter err = new StringWriter();
    try (UnansweringServer silent = UnansweringServer.silent()) {
      Config config = new ConfigBuilder().withMasterUrl(silent.url()).withNamespace("shop").build();
      int code =
          PitstopCli.execute(
              new CliEnvironment(
                  Map.of(),
                  new PrintWriter(new StringWriter()),
                  new PrintWriter(err, true),
                  access ->
                      KubeClients.build(KubeClients.withinDeadline(config, access.deadline())),
                  Clock.systemUTC(),
                  UnaryOperator.identity()),
              "lock",
              "--app",
              "shop",
              "--run-id",
              "r1",
              "--timeout",
              "2s");

      assertThat(code).as(err.toString()).isEqualTo(ExitCode.TRANSIENT);
      assertThat(err.toString())
          .contains("still failing after")
          .contains("within 2.0s")
          .contains("did not answer in time");
    }
  }

  @Test
  @Timeout(25) // guards against a silent wait; not a speed check
  void anUnreachableServerIsNamedAndEveryRetryIsAnnounced() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "https://127.0.0.1:" + port + "/";
    Config config = new ConfigBuilder().withMasterUrl(url).withNamespace("shop").build();
    StringWriter err = new StringWriter();

    int code =
        PitstopCli.execute(
            new CliEnvironment(
                Map.of(),
                new PrintWriter(new StringWriter()),
                new PrintWriter(err, true),
                access -> KubeClients.build(KubeClients.withinDeadline(config, access.deadline())),
                Clock.systemUTC(),
                UnaryOperator.identity()),
            "status",
            "--app",
            "shop",
            "--timeout",
            "2s");

    assertThat(code).as(err.toString()).isEqualTo(ExitCode.TRANSIENT);
    assertThat(err.toString())
        .contains("the Kubernetes API at " + url + " is unreachable: connection refused")
        .contains("(attempt 1); trying again in")
        .contains("giving up in");
  }

  private static Config withinDeadline(Duration deadline) {
    return KubeClients.withinDeadline(
        new ConfigBuilder().withMasterUrl("https://127.0.0.1:6443").build(), deadline);
  }
}
