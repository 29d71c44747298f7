package dev.pitstop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.http.MaintenancePage;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeMaintenanceCommandTest {
  @TempDir Path dir;

  private final CliRunner cli =
      new CliRunner(
          () -> {
            throw new AssertionError("serve-maintenance must not reach a cluster");
          });

  /** The command as the real wiring parses it, with PITSTOP_* defaults from {@code env}. */
  private static ServeMaintenanceCommand parse(Map<String, String> env, String... args) {
    PrintWriter none = new PrintWriter(new StringWriter());
    String[] all = new String[args.length + 1];
    all[0] = "serve-maintenance";
    System.arraycopy(args, 0, all, 1, args.length);
    return (ServeMaintenanceCommand)
        PitstopCli.create(
                new CliEnvironment(env, none, none, () -> null, Clock.systemUTC()),
                ConfigDefaults.load(env, all))
            .parseArgs(all)
            .subcommand()
            .commandSpec()
            .userObject();
  }

  private static String html(MaintenancePage page) {
    return new String(page.html(), StandardCharsets.UTF_8);
  }

  @Test
  void theDefaultsGiveTheBuiltInPageOnPort8080WithFiveMinutes() {
    ServeMaintenanceCommand command = parse(Map.of());

    MaintenancePage page = command.buildPage();

    assertThat(command.port).isEqualTo(8080);
    assertThat(page.retryAfterSeconds()).isEqualTo(300);
    assertThat(html(page)).contains("<h1>Down for maintenance</h1>", "about 5 minutes");
  }

  @Test
  void titleMessageAndRetryAfterComeFromFlagsOrTheEnvironment() {
    MaintenancePage page =
        parse(
                Map.of("PITSTOP_MESSAGE", "Back after the upgrade."),
                "--title",
                "Shop upgrade",
                "--retry-after",
                "2h")
            .buildPage();

    assertThat(page.retryAfterSeconds()).isEqualTo(7200);
    assertThat(html(page)).contains("<h1>Shop upgrade</h1>", "Back after the upgrade.");
  }

  @Test
  void pageServesTheOperatorsFile() throws IOException {
    Path file = dir.resolve("index.html");
    Files.writeString(file, "<!doctype html><p>Wir sind gleich zurück</p>");

    MaintenancePage page = parse(Map.of(), "--page", file.toString()).buildPage();

    assertThat(html(page)).isEqualTo("<!doctype html><p>Wir sind gleich zurück</p>");
  }

  @Test
  void badInputIsExit2WithOneLineAndNothingIsServed() throws IOException {
    Path binary = dir.resolve("logo.html");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00});
    Path big = dir.resolve("big.html");
    Files.write(big, new byte[600 * 1024]);

    assertBad(
        cli.run("serve-maintenance", "--page", dir.resolve("none.html").toString()),
        "does not exist");
    assertBad(cli.run("serve-maintenance", "--page", dir.toString()), "is not a file");
    assertBad(cli.run("serve-maintenance", "--page", binary.toString()), "is not UTF-8");
    assertBad(cli.run("serve-maintenance", "--page", big.toString()), "larger than 512 KiB");
    assertBad(cli.run("serve-maintenance", "--port", "0"), "--port 0 is not 1-65535");
    assertBad(cli.run("serve-maintenance", "--port", "70000"), "is not 1-65535");
    assertBad(cli.run("serve-maintenance", "--threads", "0"), "--threads 0 is not 1-512");
    assertBad(cli.run("serve-maintenance", "--retry-after", "soon"), "invalid duration");
  }

  @Test
  void aPortInUseIsExit2() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
      Result result =
          cli.run("serve-maintenance", "--port", Integer.toString(taken.getLocalPort()));

      assertBad(result, "cannot listen on port " + taken.getLocalPort());
    }
  }

  private static void assertBad(Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).as(result.toString()).contains(message);
    assertThat(result.err().strip().lines()).as(result.toString()).hasSizeLessThanOrEqualTo(2);
    assertThat(result.out()).isEmpty();
  }
}
