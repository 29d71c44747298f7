package dev.pitstop.cli;

import dev.pitstop.core.Durations;
import dev.pitstop.core.PitstopException;
import dev.pitstop.http.MaintenancePage;
import dev.pitstop.http.MaintenancePageServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "serve-maintenance",
    description =
        "Serve the maintenance page: 503 with Retry-After on every path, /healthz 200 for probes.",
    footer = {
      "%nNeeds no cluster. HTML for browsers, JSON when the Accept header prefers"
          + " application/json. Runs until SIGTERM, then drains requests in progress.",
      "%nExample:%n  pitstop serve-maintenance --port 8080 --retry-after 10m \\",
      "    --title 'Shop is being upgraded' --message 'Orders are safe; back shortly.'"
    })
final class ServeMaintenanceCommand implements Callable<Integer> {
  /** Larger pages belong behind a CDN, not in a ConfigMap. */
  private static final long MAX_PAGE_BYTES = 512 * 1024;

  @Mixin HelpOption help;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port to listen on, 1-65535. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--retry-after",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = CommonOptions.DurationConverter.class,
      description =
          "How long clients should wait before retrying, sent in seconds as Retry-After."
              + " Default: ${DEFAULT-VALUE}.")
  Duration retryAfter;

  @Option(
      names = "--page",
      paramLabel = "FILE",
      description =
          "An HTML file to serve instead of the built-in page, e.g. from a mounted ConfigMap"
              + " (UTF-8, at most 512 KiB; read once at start).")
  Path page;

  @Option(
      names = "--title",
      paramLabel = "TEXT",
      defaultValue = "Down for maintenance",
      description = "Heading of the built-in page and title in JSON. Default: ${DEFAULT-VALUE}.")
  String title;

  @Option(
      names = "--message",
      paramLabel = "TEXT",
      defaultValue = "We are upgrading this service and will be back shortly.",
      description = "Text of the built-in page and message in JSON. Default: ${DEFAULT-VALUE}.")
  String message;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "16",
      description = "Most requests served at once, 1-512. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = CommonOptions.DurationConverter.class,
      description =
          "On SIGTERM, how long requests in progress may take to finish. Keep it below the"
              + " pod's terminationGracePeriodSeconds. Default: ${DEFAULT-VALUE}.")
  Duration drainTimeout;

  private CliEnvironment environment;

  void setEnvironment(CliEnvironment environment) {
    this.environment = environment;
  }

  /** The page the options describe, or a usage error; reads {@code --page} once. */
  MaintenancePage buildPage() {
    if (port < 1 || port > 65535) {
      throw PitstopException.usage("--port " + port + " is not 1-65535");
    }
    if (threads < 1 || threads > 512) {
      throw PitstopException.usage("--threads " + threads + " is not 1-512");
    }
    if (page == null) {
      return MaintenancePage.builtIn(title, message, retryAfter);
    }
    return MaintenancePage.custom(readPage(page), title, message, retryAfter);
  }

  private static String readPage(Path file) {
    if (!Files.isRegularFile(file)) {
      throw PitstopException.usage("--page " + file + " does not exist or is not a file");
    }
    try {
      if (Files.size(file) > MAX_PAGE_BYTES) {
        throw PitstopException.usage("--page " + file + " is larger than 512 KiB");
      }
      byte[] bytes = Files.readAllBytes(file);
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw PitstopException.usage("--page " + file + " is not UTF-8 text");
    } catch (IOException e) {
      throw PitstopException.usage("--page " + file + " cannot be read: " + e.getMessage());
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    MaintenancePage maintenancePage = buildPage();
    PrintWriter err = environment.err();
    MaintenancePageServer server;
    try {
      server = MaintenancePageServer.start(new InetSocketAddress(port), maintenancePage, threads);
    } catch (IOException e) {
      throw PitstopException.usage("cannot listen on port " + port + ": " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  err.println(
                      "stopping: finishing requests in progress for up to "
                          + Durations.format(drainTimeout));
                  err.flush();
                  server.stop(drainTimeout);
                  stopped.countDown();
                },
                "maintenance-page-shutdown"));
    err.println(
        "maintenance page on port "
            + server.port()
            + ": every path answers 503 with Retry-After "
            + maintenancePage.retryAfterSeconds()
            + "; "
            + MaintenancePageServer.HEALTH_PATH
            + " answers 200"
            + (page == null ? "" : "; page from " + page));
    err.flush();
    stopped.await();
    return 0;
  }
}
