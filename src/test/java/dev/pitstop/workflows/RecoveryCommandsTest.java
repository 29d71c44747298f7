package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * `argo terminate` and deleting a Workflow run no exit hook (ShutdownStrategy.ShouldExecute is
 * false for Terminate; a deleted Workflow's pods are garbage-collected), so the READMEs tell a
 * human what to run instead: those commands must be ones the CLI accepts as printed.
 */
class RecoveryCommandsTest {
  /** Every `pitstop status|finish ...` line of the README's shell blocks, continuations joined. */
  private static List<List<String>> documentedCommands(Path readme) throws IOException {
    List<List<String>> commands = new ArrayList<>();
    boolean inShell = false;
    StringBuilder pending = null;
    for (String line : Files.readAllLines(readme)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("```")) {
        inShell = !inShell && trimmed.equals("```sh");
        continue;
      }
      if (!inShell) {
        continue;
      }
      String code = trimmed.replaceFirst("\\s+#.*$", "");
      if (pending == null) {
        int at = code.indexOf("pitstop ");
        if (at < 0 || !(code.startsWith("pitstop ") || code.startsWith("PITSTOP_"))) {
          continue;
        }
        pending = new StringBuilder(code.substring(at));
      } else {
        pending.append(' ').append(code);
      }
      if (pending.toString().endsWith("\\")) {
        pending.setLength(pending.length() - 1);
      } else {
        String command = pending.toString().replaceAll("<[^>]+>", "3f0c2b1e-run-uid");
        commands.add(List.of(command.trim().split("\\s+")));
        pending = null;
      }
    }
    return commands;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"README.md", "workflow-templates/README.md"})
  void theDocumentedRecoveryCommandsParseWithTheRealCommandLine(String file) throws IOException {
    List<List<String>> commands = documentedCommands(Path.of(file));
    List<String> names = commands.stream().map(c -> c.get(1)).toList();
    assertThat(names).as(file).contains("status", "finish");
    for (List<String> command : commands) {
      String[] args = command.subList(1, command.size()).toArray(String[]::new);
      PrintWriter none = new PrintWriter(new StringWriter());
      assertThatCode(
              () ->
                  PitstopCli.create(
                          new CliEnvironment(Map.of(), none, none, () -> null, Clock.systemUTC()),
                          ConfigDefaults.load(Map.of(), args))
                      .parseArgs(args))
          .as(String.join(" ", command))
          .doesNotThrowAnyException();
      if (command.get(1).equals("finish")) {
        assertThat(Arrays.asList(args)).as("finish names the run").contains("--run-id");
      }
    }
  }
}
