package dev.pitstop.tekton;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The offline checkers built from Tekton Pipelines' own code, shared beside the project (never
 * copied into it): {@code tekton-validate-v0.59.0} (the oldest release the Tasks claim) and {@code
 * tekton-validate-v1.0.0} (with the {@code state} subcommand). Tests that need them are skipped,
 * with a message, where they are absent.
 */
final class TektonTools {
  static final Path DIR = Path.of("..", "shared", "tools", "tekton");
  static final String OLDEST = "v0.59.0";
  static final String NEWEST = "v1.0.0";

  /** What one run of a checker printed and returned. */
  record Output(int exitCode, String out) {}

  private TektonTools() {}

  static Path binary(String release) {
    Path binary = DIR.resolve("tekton-validate-" + release);
    assumeTrue(
        Files.isExecutable(binary),
        () ->
            "skipped: "
                + binary.toAbsolutePath().normalize()
                + " is not there (the shared Tekton checkers); the YAML is still checked by the"
                + " other Tekton tests");
    return binary;
  }

  static Output run(String release, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binary(release).toString());
    command.addAll(args);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not end");
      }
      return new Output(process.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
