package dev.pitstop.cli;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.kube.KubeErrors;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** Builds the one {@link CommandLine} that {@code main} and the tests use, and runs it. */
public final class PitstopCli {

  @Command(
      name = "pitstop",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Stop-the-world PostgreSQL migrations on Kubernetes: each subcommand is one step.",
        "Exit codes: 0 done, 1 failed, 2 bad input (nothing changed), 3 locked by another run,"
            + " 4 rollback failed, 5 plan has blockers, 70 out of memory, 75 transient (retry),"
            + " 130/143 stopped by SIGINT/SIGTERM."
      })
  static final class Root implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new ParameterException(spec.commandLine(), "name a subcommand; see `pitstop --help`");
    }
  }

  /** The subcommands, in the order the help lists them. */
  private static final List<Class<?>> SUBCOMMANDS =
      List.of(
          PlanCommand.class,
          LockCommand.class,
          MaintenanceOnCommand.class,
          ScaleDownCommand.class,
          SnapshotCommand.class,
          MigrateCommand.class,
          VerifyCommand.class,
          ScaleUpCommand.class,
          SmokeTestCommand.class,
          MaintenanceOffCommand.class,
          UnlockCommand.class,
          RollbackCommand.class,
          FinishCommand.class,
          RestoreCommand.class,
          PruneCommand.class,
          StatusCommand.class,
          RunCommand.class,
          OperatorCommand.class,
          ApproveCommand.class,
          CopyMigrationsCommand.class,
          ServeMaintenanceCommand.class,
          DemoCommand.class,
          CommandLine.HelpCommand.class);

  private PitstopCli() {}

  /** The fully wired command line, with defaults from the environment and the config file. */
  public static CommandLine create(CliEnvironment environment, ConfigDefaults defaults) {
    return create(environment, defaults, SUBCOMMANDS);
  }

  /**
   * The subcommands that {@code args} can reach. picocli builds each subcommand's model by
   * reflection, which costs more than the step itself takes on a fast API server; an invocation
   * that names its step first ({@code pitstop lock ...}) never reaches the others, and {@code
   * pitstop --version} reaches none. Anything else (other root options, {@code help}, a typo, a
   * config file whose keys are checked against every command) gets the whole tree.
   */
  static List<Class<?>> reachable(String[] args, ConfigDefaults defaults) {
    if (args.length == 0 || defaults.hasFile()) {
      return SUBCOMMANDS;
    }
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      return List.of();
    }
    for (Class<?> type : SUBCOMMANDS) {
      Command command = type.getAnnotation(Command.class);
      if (type != CommandLine.HelpCommand.class
          && command.aliases().length == 0
          && command.name().equals(args[0])) {
        return List.of(type);
      }
    }
    return SUBCOMMANDS;
  }

  private static CommandLine create(
      CliEnvironment environment, ConfigDefaults defaults, List<Class<?>> subcommands) {
    IFactory factory =
        new IFactory() {
          private final IFactory fallback = CommandLine.defaultFactory();

          @Override
          public <K> K create(Class<K> type) throws Exception {
            K instance = fallback.create(type);
            if (instance instanceof StepCommand command) {
              command.setEnvironment(environment);
            } else if (instance instanceof DemoCommand demo) {
              demo.setEnvironment(environment);
            } else if (instance instanceof ServeMaintenanceCommand serve) {
              serve.setEnvironment(environment);
            } else if (instance instanceof OperatorCommand operator) {
              operator.setEnvironment(environment);
            } else if (instance instanceof PlanSummaryCommand summary) {
              summary.setEnvironment(environment);
            } else if (instance instanceof ApproveCommand approve) {
              approve.setEnvironment(environment);
            }
            return instance;
          }
        };
    CommandLine commandLine = new CommandLine(new Root(), factory);
    // before the settings below: picocli applies them to the subcommands present at the time
    subcommands.forEach(commandLine::addSubcommand);
    commandLine.setOut(environment.out());
    commandLine.setErr(environment.err());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    // the last value wins, as with kubectl and helm: pipelines append options to a template's
    commandLine.setOverwrittenOptionsAllowed(true);
    commandLine.setDefaultValueProvider(defaults);
    commandLine.setExecutionStrategy(new FillRepeatableDefaults(defaults));
    commandLine.setParameterExceptionHandler(
        (exception, args) -> onBadArguments(exception, args, environment));
    commandLine.setExecutionExceptionHandler(
        (exception, failed, parseResult) -> onFailure(exception, failed, environment));
    return commandLine;
  }

  /** Parses {@code args}, runs the subcommand and returns the exit code. */
  public static int execute(CliEnvironment environment, String... args) {
    ConfigDefaults defaults;
    try {
      defaults = ConfigDefaults.load(environment.env(), args);
    } catch (PitstopException e) {
      environment.err().println("pitstop: " + e.getMessage());
      environment.err().flush();
      failureOutput(environment, args, subcommandOf(args), e.exitCode(), e.getMessage());
      return e.exitCode();
    }
    CommandLine commandLine = create(environment, defaults, reachable(args, defaults));
    try {
      defaults.checkKeys(commandLine);
    } catch (PitstopException e) {
      environment.err().println("pitstop: " + e.getMessage());
      environment.err().flush();
      failureOutput(environment, args, subcommandOf(args), e.exitCode(), e.getMessage());
      return e.exitCode();
    }
    int code = commandLine.execute(ArgsNormalizer.withoutEmptyValues(commandLine, args));
    return dev.pitstop.core.Signals.stopping().isPresent()
        ? dev.pitstop.core.Signals.exitCode()
        : code;
  }

  private static int onBadArguments(
      ParameterException e, String[] args, CliEnvironment environment) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    String message =
        e instanceof UnmatchedArgumentException unmatched
            ? unmatchedMessage(unmatched)
            // a config file's own error, raised while picocli fills in defaults: its words alone
            : e.getCause() instanceof PitstopException own
                ? own.getMessage()
                : lowerCaseChoices(e.getMessage());
    err.println(prefix(command) + message);
    err.println("Run `" + command.getCommandSpec().qualifiedName() + " --help` for the options.");
    err.flush();
    failureOutput(environment, args, subcommandOf(args), ExitCode.USAGE, message);
    return ExitCode.USAGE;
  }

  private static final java.util.regex.Pattern ENUM_CHOICES =
      java.util.regex.Pattern.compile(
          "expected one of \\[([A-Z0-9_, ]+)\\] \\(case-insensitive\\)");

  /** picocli lists an option's choices as the enum constants; users type them in lower case. */
  static String lowerCaseChoices(String message) {
    java.util.regex.Matcher m = ENUM_CHOICES.matcher(message);
    return m.find()
        ? m.replaceFirst(
            java.util.regex.Matcher.quoteReplacement(
                "expected one of "
                    + m.group(1).toLowerCase(java.util.Locale.ROOT).replace('_', '-')))
        : message;
  }

  private static String subcommandOf(String[] args) {
    return args.length > 0 && !args[0].startsWith("-") ? args[0] : "pitstop";
  }

  /**
   * A failure that stopped the command line before any option was read still owes a pipeline its
   * machine-readable result: the JSON object with {@code -o json}, and the {@code exit-code} and
   * {@code error} files in {@code --results-dir}, found in the raw arguments and the environment.
   */
  private static void failureOutput(
      CliEnvironment environment, String[] args, String command, int exitCode, String message) {
    String output = environment.env().get("PITSTOP_OUTPUT");
    String resultsDir = environment.env().get("PITSTOP_RESULTS_DIR");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String next = i + 1 < args.length ? args[i + 1] : null;
      if ((arg.equals("-o") || arg.equals("--output")) && next != null) {
        output = next;
      } else if (arg.startsWith("--output=")) {
        output = arg.substring("--output=".length());
      } else if (arg.startsWith("-o") && arg.length() > 2) {
        output = arg.substring(2).replaceFirst("^=", "");
      } else if (arg.equals("--results-dir") && next != null) {
        resultsDir = next;
      } else if (arg.startsWith("--results-dir=")) {
        resultsDir = arg.substring("--results-dir=".length());
      }
    }
    if (resultsDir != null && !resultsDir.isBlank()) {
      try {
        ResultWriter.writeFailure(java.nio.file.Path.of(resultsDir), exitCode, message);
      } catch (RuntimeException ignored) {
        // the error itself is already on stderr; a folder that cannot be written adds nothing
      }
    }
    if ("json".equalsIgnoreCase(output)) {
      ResultWriter.failure(command, exitCode, message, environment.out());
    }
  }

  /**
   * Names the unknown option alone (not the value after it, which picocli also calls unmatched) and
   * suggests the closest real one.
   */
  static String unmatchedMessage(UnmatchedArgumentException e) {
    List<String> unmatched = e.getUnmatched();
    String first = unmatched.isEmpty() ? "" : unmatched.get(0);
    List<String> suggestions = e.getSuggestions();
    String hint =
        suggestions.isEmpty()
            ? ""
            : " (did you mean "
                + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
                + "?)";
    if (first.startsWith("-")) {
      String option = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
      return "unknown option " + option + hint;
    }
    boolean atRoot = e.getCommandLine().getParent() == null;
    return (atRoot ? "unknown command '" : "unexpected argument '") + first + "'" + hint;
  }

  /** What a step stopped by SIGTERM or SIGINT says: where it stopped and what to run next. */
  private static PitstopException stoppedBySignal(
      String command, StepCommand step, Exception exception) {
    String app = step.common().app;
    String where =
        app == null
            ? ""
            : "; `pitstop status --app "
                + app
                + (step.common().namespace == null ? "" : " -n " + step.common().namespace)
                + "` shows where the run stopped: run the step again with the same --run-id to go"
                + " on, or `pitstop finish` to roll back and release";
    return new PitstopException(
        dev.pitstop.core.Signals.exitCode(),
        "stopped by "
            + dev.pitstop.core.Signals.stopping().orElseThrow()
            + " during "
            + command
            + "; its running database statement was cancelled"
            + where,
        exception);
  }

  private static int onFailure(
      Exception exception, CommandLine failed, CliEnvironment environment) {
    // an out-of-memory error wrapped by a pool thread's future is no step outcome either
    OutOfMemory.haltIfCausedBy(exception);
    PitstopException failure = KubeErrors.classify(exception);
    if (dev.pitstop.core.Signals.stopping().isPresent()
        && failed.getCommand() instanceof StepCommand step) {
      failure = stoppedBySignal(failed.getCommandName(), step, exception);
    }
    boolean verbose = failed.getCommand() instanceof StepCommand step && step.common().verbose;
    PrintWriter err = failed.getErr();
    err.println(prefix(failed) + failure.getMessage());
    if (verbose) {
      exception.printStackTrace(err);
    } else if (!(exception instanceof PitstopException)
        && failed.getCommandSpec().findOption("--verbose") != null) {
      err.println("(run with --verbose for the stack trace)");
    }
    err.flush();
    if (failed.getCommand() instanceof StepCommand step) {
      if (step.common().resultsDir != null) {
        try {
          ResultWriter.writeFailure(
              step.common().resultsDir, failure.exitCode(), failure.getMessage());
        } catch (PitstopException e) {
          err.println(prefix(failed) + e.getMessage());
          err.flush();
        }
      }
      if (step.common().output == CommonOptions.Output.JSON) {
        ResultWriter.failure(
            failed.getCommandName(), failure.exitCode(), failure.getMessage(), environment.out());
      }
    }
    return failure.exitCode();
  }

  private static String prefix(CommandLine command) {
    return command.getCommandSpec().qualifiedName() + ": ";
  }

  /**
   * Gives repeatable options that were not on the command line their values from the environment or
   * config file (a default value provider can only give single values), then runs the command.
   */
  private static final class FillRepeatableDefaults implements IExecutionStrategy {
    private final ConfigDefaults defaults;

    FillRepeatableDefaults(ConfigDefaults defaults) {
      this.defaults = defaults;
    }

    @Override
    public int execute(ParseResult parseResult) {
      applyRepeatableDefaults(parseResult, defaults);
      return new CommandLine.RunLast().execute(parseResult);
    }
  }

  /**
   * Gives options their values from the environment or config file where the command line has none
   * (a default value provider can only give single values), and treats a blank value as none: Argo
   * and Tekton cannot leave out an argument whose parameter is empty.
   */
  public static void applyRepeatableDefaults(ParseResult parseResult, ConfigDefaults defaults) {
    ParseResult last = parseResult;
    while (last.hasSubcommand()) {
      last = last.subcommand();
    }
    for (OptionSpec option : last.commandSpec().options()) {
      boolean matched = last.hasMatchedOption(option);
      if (option.isMultiValue()) {
        List<?> given = matched && option.getValue() instanceof List<?> list ? list : List.of();
        List<Object> kept = new ArrayList<>();
        given.forEach(
            value -> {
              if (!(value instanceof String text && text.isBlank())) {
                kept.add(value);
              }
            });
        if (!kept.isEmpty()) {
          if (kept.size() != given.size()) {
            option.setValue(kept);
          }
        } else {
          option.setValue(new ArrayList<>(defaults.multiValue(option).orElse(List.of())));
        }
      } else if (matched
          && option.type() == String.class
          && option.getValue() instanceof String text
          && text.isBlank()) {
        String fallback = defaults.defaultValue(option);
        option.setValue(fallback != null ? fallback : option.defaultValue());
      }
    }
  }
}
