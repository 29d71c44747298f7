package dev.pitstop.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Makes an option with an empty value count as not given, whatever its type. Argo and Tekton cannot
 * leave an argument out when its parameter is empty ({@code --timeout ''}, {@code --keep=}), and
 * the README promises that an empty value falls back to the environment and the config file, so
 * such a pair is dropped before parsing. A repeatable option's empty values are dropped later,
 * value by value (see {@link PitstopCli#applyRepeatableDefaults}).
 */
final class ArgsNormalizer {
  private ArgsNormalizer() {}

  static String[] withoutEmptyValues(CommandLine root, String[] args) {
    CommandSpec command = null;
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        kept.addAll(List.of(args).subList(i, args.length));
        break;
      }
      if (command == null) {
        CommandLine sub = root.getSubcommands().get(arg);
        if (sub != null) {
          command = sub.getCommandSpec();
        }
        kept.add(arg);
        continue;
      }
      int equals = arg.indexOf('=');
      String name = equals > 0 ? arg.substring(0, equals) : arg;
      OptionSpec option = arg.startsWith("-") ? command.findOption(name) : null;
      if (option == null || option.isMultiValue()) {
        kept.add(arg);
        continue;
      }
      if (equals > 0) {
        if (!arg.substring(equals + 1).isBlank()) {
          kept.add(arg);
        }
        continue;
      }
      if (option.arity().max() >= 1 && i + 1 < args.length && args[i + 1].isBlank()) {
        i++;
        continue;
      }
      kept.add(arg);
    }
    return kept.toArray(String[]::new);
  }
}
