package dev.pitstop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.core.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM that runs out of memory ends with its own exit code, never one a pipeline reads as "done",
 * "bad input", "locked by another run", "rollback failed" or "retry".
 */
class OutOfMemoryTest {
  @Test
  void theOutOfMemoryCodeIsNoneOfTheStepOutcomes() {
    assertThat(ExitCode.OUT_OF_MEMORY)
        .isNotIn(
            ExitCode.OK,
            ExitCode.FAILED,
            ExitCode.USAGE,
            ExitCode.LOCKED,
            ExitCode.ROLLBACK_FAILED,
            ExitCode.TRANSIENT)
        .isNotZero()
        .isBetween(5, 125);
  }

  @Test
  void theHelpNamesTheOutOfMemoryCode() {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.PrintWriter writer = new java.io.PrintWriter(out);
    int code =
        PitstopCli.execute(
            new CliEnvironment(
                java.util.Map.of(), writer, writer, () -> null, java.time.Clock.systemUTC()),
            "--help");
    writer.flush();
    assertThat(code).isZero();
    assertThat(out.toString()).contains(ExitCode.OUT_OF_MEMORY + " out of memory");
  }

  /** Why the image has no -XX:+ExitOnOutOfMemoryError: HotSpot then exits with "locked". */
  @Test
  void hotSpotsOwnExitOnOutOfMemoryWouldReadAsLockedByAnotherRun()
      throws IOException, InterruptedException {
    Process process = probe("main", "-XX:+ExitOnOutOfMemoryError");
    assertThat(process.exitValue()).isEqualTo(ExitCode.LOCKED);
  }

  /** A real out-of-memory error, in a JVM of its own with a 24 MB heap. */
  @ParameterizedTest(name = "in {0}")
  @ValueSource(strings = {"main", "thread", "wrapped"})
  void runningOutOfMemoryEndsTheProcessWithTheOutOfMemoryCode(String where)
      throws IOException, InterruptedException {
    Process process = probe(where, "-XX:-UsePerfData");
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.exitValue()).as(err).isEqualTo(ExitCode.OUT_OF_MEMORY);
    assertThat(err).contains("pitstop: out of memory (exit 70)");
  }

  private static Process probe(String where, String jvmFlag)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Xmx24m",
                    jvmFlag,
                    "-cp",
                    System.getProperty("java.class.path"),
                    OutOfMemoryProbe.class.getName(),
                    where))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start();
    // the bound only keeps a broken probe from hanging the build
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the probe ended").isTrue();
    return process;
  }
}
