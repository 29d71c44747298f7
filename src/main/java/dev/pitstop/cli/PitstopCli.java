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

/** Builds the one {@link CommandLine} that {@code main} and the tests use, and runs it. */
public final class PitstopCli {

  @Command(
      name = "pitstop",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Stop-the-world PostgreSQL migrations on Kubernetes: each subcommand is one step.",
        "Exit codes: 0 done, 1 failed, 2 bad input (nothing changed), 3 locked by another run,"
            + " 4 rollback failed, 75 transient (retry)."
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
          StatusCommand.class,
          RunCommand.class,
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
    commandLine.setDefaultValueProvider(defaults);
    commandLine.setExecutionStrategy(new FillRepeatableDefaults(defaults));
    commandLine.setParameterExceptionHandler(PitstopCli::onBadArguments);
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
      return e.exitCode();
    }
    CommandLine commandLine = create(environment, defaults, reachable(args, defaults));
    try {
      defaults.checkKeys(commandLine);
    } catch (PitstopException e) {
      environment.err().println("pitstop: " + e.getMessage());
      environment.err().flush();
      return e.exitCode();
    }
    return commandLine.execute(args);
  }

  private static int onBadArguments(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println(prefix(command) + e.getMessage());
    err.println("Run `" + command.getCommandSpec().qualifiedName() + " --help` for the options.");
    err.flush();
    return ExitCode.USAGE;
  }

  private static int onFailure(
      Exception exception, CommandLine failed, CliEnvironment environment) {
    PitstopException failure = KubeErrors.classify(exception);
    boolean verbose = failed.getCommand() instanceof StepCommand step && step.common().verbose;
    PrintWriter err = failed.getErr();
    err.println(prefix(failed) + failure.getMessage());
    if (verbose) {
      exception.printStackTrace(err);
    } else if (!(exception instanceof PitstopException)) {
      err.println("(run with --verbose for the stack trace)");
    }
    err.flush();
    if (failed.getCommand() instanceof StepCommand step
        && step.common().output == CommonOptions.Output.JSON) {
      ResultWriter.failure(
          failed.getCommandName(), failure.exitCode(), failure.getMessage(), environment.out());
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
  static void applyRepeatableDefaults(ParseResult parseResult, ConfigDefaults defaults) {
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
