package dev.pitstop.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * What the container of a pitstop-steps template runs once Argo has put its inputs in: the argument
 * list and the environment, parsed by the real command line.
 */
record StepInvocation(String command, List<String> args, Map<String, String> env) {
  static final Pattern SIMPLE_TAG = Pattern.compile("\\{\\{\\s*([^=}][^}]*?)\\s*}}");

  /** The image's entrypoint as pom.xml's Jib configuration builds it. */
  static List<String> imageEntrypoint() {
    return dev.pitstop.testing.ImageEntrypoint.command();
  }

  /**
   * The invocation with the inputs' defaults, overridden by {@code given}; Secrets referenced by
   * the environment are taken as present, with a placeholder value.
   */
  static StepInvocation of(JsonNode template, Map<String, String> given) {
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode input : template.path("inputs").path("parameters")) {
      values.put(input.path("name").asText(), input.path("default").asText());
    }
    values.putAll(given);
    JsonNode container = template.path("container");
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(substitute(a.asText(), values)));
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode variable : container.path("env")) {
      if (variable.has("valueFrom")) {
        env.put(variable.path("name").asText(), "value-from-a-secret");
      } else {
        env.put(
            variable.path("name").asText(), substitute(variable.path("value").asText(), values));
      }
    }
    return new StepInvocation(template.path("name").asText(), args, env);
  }

  /** Replaces {@code {{inputs.parameters.x}}} by the value of x; other tags stay. */
  static String substitute(String text, Map<String, String> values) {
    Matcher m = SIMPLE_TAG.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String key = m.group(1);
      String value =
          key.startsWith("inputs.parameters.")
              ? values.get(key.substring("inputs.parameters.".length()))
              : values.get(key);
      if (value == null && key.equals("workflow.uid")) {
        value = "0f5e8a4c-1b2d-4e6f-8a9b-0c1d2e3f4a5b";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  StepInvocation withEnv(String name, String value) {
    Map<String, String> changed = new LinkedHashMap<>(env);
    changed.put(name, value);
    return new StepInvocation(command, args, changed);
  }

  /**
   * The real command line, with the environment (and any config file it names) as defaults, as the
   * CLI has it just before the step runs: empty flags and unset repeatable options filled from the
   * environment, then the file (PitstopCli.applyRepeatableDefaults).
   */
  ParseResult parse() {
    PrintWriter none = new PrintWriter(new StringWriter());
    String[] array = args.toArray(String[]::new);
    ConfigDefaults defaults = ConfigDefaults.load(env, array);
    CommandLine commandLine =
        PitstopCli.create(
            new CliEnvironment(env, none, none, () -> null, Clock.systemUTC()), defaults);
    ParseResult parsed = commandLine.parseArgs(array);
    PitstopCli.applyRepeatableDefaults(parsed, defaults);
    return parsed.subcommand();
  }

  /** The value an option ends with: flag, environment, config file or the CLI's default. */
  Object value(String option) {
    OptionSpec spec = parse().commandSpec().findOption(option);
    if (spec == null) {
      throw new AssertionError(command + " has no option " + option);
    }
    return spec.getValue();
  }
}
