package dev.pitstop.step;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmokeTestIT {
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger healthyAfter = new AtomicInteger();
  private final AtomicReference<String> body = new AtomicReference<>("{\"status\":\"UP\"}");
  private final AtomicReference<String> authorization = new AtomicReference<>();
  private final CliRunner cli =
      new CliRunner(
          () -> {
            throw new AssertionError("no cluster needed");
          });

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/healthz",
        exchange -> {
          int n = requests.incrementAndGet();
          authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
          boolean healthy = n > healthyAfter.get();
          byte[] bytes =
              (healthy ? body.get() : "<html>starting up, please wait</html>")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(healthy ? 200 : 503, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/healthz";
  }

  @Test
  void passesOnceTheAppAnswersAsExpected() {
    healthyAfter.set(2);

    Result result =
        cli.run(
            "smoke-test",
            "--url",
            url(),
            "--expect-json",
            "/status=UP",
            "--expect-body",
            "UP",
            "--interval",
            "100ms",
            "--timeout",
            "20s",
            "--header",
            "Authorization=Bearer s3cr3t-token");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(requests).hasValue(3);
    assertThat(authorization).hasValue("Bearer s3cr3t-token");
    assertThat(result.out() + result.err()).doesNotContain("s3cr3t-token");
  }

  @Test
  void failsAtTheDeadlineWithTheLastStatusAndABodyExcerptPerUrl() {
    healthyAfter.set(Integer.MAX_VALUE);

    Result result =
        cli.run(
            "smoke-test",
            "--url",
            url(),
            "--interval",
            "100ms",
            "--timeout",
            "1s",
            "--header",
            "Authorization=Bearer s3cr3t-token");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains(url() + ": status 503, expected 200")
        .contains("starting up, please wait");
    assertThat(result.out() + result.err()).doesNotContain("s3cr3t-token");
    assertThat(requests.get()).isGreaterThan(1);
  }

  @Test
  void aWrongJsonFieldIsNamed() {
    body.set("{\"status\":\"DEGRADED\"}");

    Result result =
        cli.run(
            "smoke-test",
            "--url",
            url(),
            "--expect-json",
            "/status=UP",
            "--interval",
            "100ms",
            "--timeout",
            "500ms");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("JSON /status is 'DEGRADED', expected 'UP'");
  }

  @Test
  void anUnreachableUrlFailsSayingSo() {
    Result result =
        cli.run(
            "smoke-test",
            "--url",
            "http://127.0.0.1:1/",
            "--interval",
            "100ms",
            "--timeout",
            "500ms");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("no response");
  }

  @Test
  void badInputIsExit2() {
    assertThat(cli.run("smoke-test").err()).contains("missing --url");
    assertThat(cli.run("smoke-test", "--url", "ftp://x/").exitCode()).isEqualTo(2);
    assertThat(cli.run("smoke-test", "--url", url(), "--expect-json", "status").exitCode())
        .isEqualTo(2);
    Result header = cli.run("smoke-test", "--url", url(), "--header", "Bad Header: s3cr3t");
    assertThat(header.exitCode()).isEqualTo(2);
    assertThat(header.err()).doesNotContain("s3cr3t");
    assertThat(requests).hasValue(0);
  }
}
