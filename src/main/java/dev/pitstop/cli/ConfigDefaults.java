package dev.pitstop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pitstop.core.PitstopException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option values that were not given as flags: first from {@code PITSTOP_<OPTION>} environment
 * variables, then from the YAML config file ({@code --config}). So the precedence is flag, then
 * environment, then file.
 *
 * <p>The file holds option names without dashes at the top level, and optionally a section per
 * subcommand that wins over the top level for that subcommand:
 *
 * <pre>
 * app: shop
 * namespace: shop
 * workload: [deployment/web, deployment/worker]
 * scale-up:
 *   timeout: 15m
 * </pre>
 *
 * Repeatable options take a YAML list in the file, and one value per line in the environment. An
 * empty environment variable counts as not set.
 */
public final class ConfigDefaults implements IDefaultValueProvider {
  /** Made on first use: without a config file, no YAML or JSON machinery is loaded. */
  private static final class Yaml {
    static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
  }

  private final Map<String, String> env;

  /** The config file's mapping, or null without a config file. */
  private final JsonNode file;

  private final String fileName;

  private ConfigDefaults(Map<String, String> env, JsonNode file, String fileName) {
    this.env = env;
    this.file = file;
    this.fileName = fileName;
  }

  /** Finds {@code --config} (or {@code PITSTOP_CONFIG}) before parsing, and reads that file. */
  public static ConfigDefaults load(Map<String, String> env, String[] args) {
    String path = env.get("PITSTOP_CONFIG");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        break;
      }
      if (args[i].equals("--config") && i + 1 < args.length) {
        path = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        path = args[i].substring("--config=".length());
      }
    }
    if (path == null || path.isEmpty()) {
      return new ConfigDefaults(env, null, null);
    }
    Path file;
    try {
      file = Path.of(path);
    } catch (java.nio.file.InvalidPathException e) {
      throw PitstopException.usage(
          "config file '" + path + "' is not a valid path: " + e.getReason());
    }
    if (!Files.isRegularFile(file)) {
      throw PitstopException.usage("config file " + path + " does not exist or is not a file");
    }
    try {
      JsonNode tree = Yaml.MAPPER.readTree(file.toFile());
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        tree = Yaml.MAPPER.createObjectNode();
      }
      if (!tree.isObject()) {
        throw PitstopException.usage(
            "config file " + path + " must be a YAML mapping of option names to values");
      }
      return new ConfigDefaults(env, tree, path);
    } catch (IOException e) {
      throw PitstopException.usage(
          "config file " + path + " is not valid YAML: " + firstLine(e.getMessage()));
    }
  }

  /** Whether a config file was given (its keys are then checked against every command). */
  boolean hasFile() {
    return file != null;
  }

  /** Rejects keys that are no option of any command: a typo must not be silently ignored. */
  public void checkKeys(CommandLine root) {
    if (file == null) {
      return;
    }
    Set<String> options = new TreeSet<>();
    Set<String> commands = new TreeSet<>();
    collect(root, options, commands);
    for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (commands.contains(entry.getKey()) && entry.getValue().isObject()) {
        CommandLine sub = find(root, entry.getKey());
        for (Iterator<String> keys = entry.getValue().fieldNames(); keys.hasNext(); ) {
          String key = keys.next();
          if (sub.getCommandSpec().findOption("--" + key) == null) {
            throw PitstopException.usage(
                "config file "
                    + fileName
                    + ": '"
                    + entry.getKey()
                    + "' has no option '"
                    + key
                    + "'; see `pitstop "
                    + entry.getKey()
                    + " --help`");
          }
        }
      } else if (!options.contains(entry.getKey())) {
        throw PitstopException.usage(
            "config file "
                + fileName
                + ": unknown option '"
                + entry.getKey()
                + "'; keys are option names without the dashes, e.g. app, namespace, workload");
      }
    }
  }

  private static CommandLine find(CommandLine root, String name) {
    if (root.getCommandName().equals(name)) {
      return root;
    }
    for (CommandLine sub : root.getSubcommands().values()) {
      CommandLine found = find(sub, name);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static void collect(CommandLine command, Set<String> options, Set<String> commands) {
    commands.add(command.getCommandName());
    for (OptionSpec option : command.getCommandSpec().options()) {
      options.add(stripDashes(option.longestName()));
    }
    command.getSubcommands().values().forEach(sub -> collect(sub, options, commands));
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option)
        || option.isMultiValue()
        || option.usageHelp()
        || option.versionHelp()) {
      return null;
    }
    return lookup(option)
        .map(
            values -> {
              if (values.size() != 1) {
                throw PitstopException.usage(
                    option.longestName()
                        + " takes one value, but the environment or config file gives "
                        + values.size());
              }
              return values.get(0);
            })
        .orElse(null);
  }

  /** Values for a repeatable option that was not given on the command line. */
  public Optional<List<String>> multiValue(OptionSpec option) {
    return lookup(option);
  }

  private Optional<List<String>> lookup(OptionSpec option) {
    String name = stripDashes(option.longestName());
    String fromEnv = env.get(envName(name));
    // An empty variable counts as not set: a Tekton or Argo parameter left at its empty default
    // must not hide the config file.
    if (fromEnv != null && !fromEnv.isBlank()) {
      if (!option.isMultiValue()) {
        return Optional.of(List.of(fromEnv));
      }
      List<String> values = new ArrayList<>();
      for (String line : fromEnv.split("\\R")) {
        if (!line.isBlank()) {
          values.add(line.trim());
        }
      }
      return Optional.of(values);
    }
    if (file == null) {
      return Optional.empty();
    }
    CommandSpec command = option.command();
    JsonNode section = command == null ? null : file.get(command.name());
    JsonNode value =
        section != null && section.isObject() && section.has(name)
            ? section.get(name)
            : file.get(name);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    List<String> values = new ArrayList<>();
    if (value.isArray()) {
      if (!option.isMultiValue()) {
        throw PitstopException.usage(
            "config file " + fileName + ": '" + name + "' takes one value, not a list");
      }
      value.forEach(v -> values.add(v.asText()));
    } else if (value.isObject()) {
      throw PitstopException.usage(
          "config file " + fileName + ": '" + name + "' must be a value, not a mapping");
    } else {
      values.add(value.asText());
    }
    return Optional.of(values);
  }

  public static String envName(String option) {
    return "PITSTOP_" + option.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static String stripDashes(String name) {
    return name.replaceFirst("^-+", "");
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
