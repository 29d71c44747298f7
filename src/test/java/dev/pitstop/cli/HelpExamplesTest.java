package dev.pitstop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code --help} example is pasted into shells at 3 a.m.: it must fit an 80-column help
 * screen without a line break inside an argument, and parse with the real command model.
 */
class HelpExamplesTest {
  private static CommandLine root() {
    Map<String, String> env = Map.of();
    CliEnvironment environment =
        new CliEnvironment(
            env,
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()),
            () -> null,
            Clock.systemUTC());
    return PitstopCli.create(environment, ConfigDefaults.load(env, new String[0]));
  }

  @Test
  void everyExampleFitsTheScreenAndParsesAsPrinted() {
    root()
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals("help")) {
                return;
              }
              List<String> lines = exampleLines(sub.getUsageMessage());
              assertThat(lines).as(name + " has an example").isNotEmpty();
              for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                assertThat(line.length()).as(name + ": " + line).isLessThan(80);
                assertThat(line).as(name + ": every line is indented").startsWith("  ");
                boolean last = i == lines.size() - 1;
                assertThat(line.endsWith(" \\"))
                    .as(name + ": only the last line has no continuation: " + line)
                    .isEqualTo(!last);
              }
              List<String> words = words(String.join(" ", lines).replace(" \\", " "));
              while (words.get(0).matches("[A-Z_]+=.*")) {
                words.remove(0);
              }
              assertThat(words.get(0)).isEqualTo("pitstop");
              assertThat(words.get(1)).isEqualTo(name);
              // throws when an option does not exist or a value does not convert
              root().parseArgs(words.subList(1, words.size()).toArray(String[]::new));
            });
  }

  @Test
  void ciVariablesAreNotBrokenAcrossLines() {
    String help = root().getSubcommands().get("lock").getUsageMessage();

    assertThat(help).contains("{{workflow.uid}}").contains("$(context.pipelineRun.uid)");
  }

  /** The lines after {@code Example:} up to the end of the help or a blank line. */
  private static List<String> exampleLines(String help) {
    List<String> lines = new ArrayList<>();
    boolean in = false;
    for (String line : help.split("\\R")) {
      if (line.equals("Example:")) {
        in = true;
      } else if (in && line.isBlank()) {
        break;
      } else if (in) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** Splits like a shell: spaces separate words, single quotes keep them together. */
  private static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    for (char c : text.toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
      } else if (c == ' ' && !quoted) {
        if (word.length() > 0) {
          words.add(word.toString());
          word.setLength(0);
        }
      } else {
        word.append(c);
      }
    }
    if (word.length() > 0) {
      words.add(word.toString());
    }
    return words;
  }
}
