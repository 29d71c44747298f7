package dev.pitstop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

class CliOptionsTest {
  @TempDir Path dir;

  private final CliRunner cli =
      new CliRunner(
          () -> {
            throw new AssertionError("this test must not reach a cluster");
          });

  private static CommandLine commandLine(Map<String, String> env, String... args) {
    CliEnvironment environment =
        new CliEnvironment(
            env,
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()),
            () -> null,
            Clock.systemUTC());
    return PitstopCli.create(environment, ConfigDefaults.load(env, args));
  }

  /** Parses like the CLI does, and returns the subcommand object with its options resolved. */
  private static Object parse(Map<String, String> env, String... args) {
    CommandLine commandLine = commandLine(env, args);
    ParseResult result =
        commandLine.parseArgs(ArgsNormalizer.withoutEmptyValues(commandLine, args));
    PitstopCli.applyRepeatableDefaults(result, ConfigDefaults.load(env, args));
    return result.subcommand().commandSpec().userObject();
  }

  @Test
  void helpListsEverySubcommand() {
    Result help = cli.run("--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("lock", "unlock", "maintenance-on", "maintenance-off", "scale-down", "scale-up")
        .contains("rollback", "status");
  }

  @Test
  void everySubcommandHasASummaryDescribedOptionsAndAnExample() {
    CommandLine root = commandLine(Map.of());
    root.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals("help")) {
                return;
              }
              assertThat(sub.getCommandSpec().usageMessage().description())
                  .as(name + " summary")
                  .hasSize(1);
              for (OptionSpec option : sub.getCommandSpec().options()) {
                assertThat(String.join(" ", option.description()))
                    .as(name + " " + option.longestName())
                    .isNotBlank();
              }
              assertThat(String.join("\n", sub.getCommandSpec().usageMessage().footer()))
                  .as(name + " example")
                  .contains("Example:")
                  .contains("pitstop " + name);
              Result help = cli.run(name, "--help");
              assertThat(help.exitCode()).as(name).isZero();
              assertThat(help.out()).contains("Usage: pitstop " + name);
            });
  }

  @Test
  void versionIsPrinted() {
    Result version = cli.run("--version");

    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("pitstop ");
  }

  @Test
  void aNamedStepBuildsOnlyItsOwnCommandAndAnythingElseTheWholeTree() throws IOException {
    ConfigDefaults none = ConfigDefaults.load(Map.of(), new String[0]);
    Path config = dir.resolve("sections.yaml");
    Files.writeString(config, "scale-up:\n  timeout: 15m\n");
    String[] withConfig = {"lock", "--config", config.toString()};

    assertThat(PitstopCli.reachable(new String[] {"lock", "--app", "shop"}, none))
        .containsExactly(LockCommand.class);
    assertThat(PitstopCli.reachable(new String[] {"--version"}, none)).isEmpty();
    for (String[] args :
        new String[][] {{"help", "lock"}, {"lokc"}, {"--help"}, {"--version", "lock"}}) {
      assertThat(PitstopCli.reachable(args, none))
          .as(String.join(" ", args))
          .contains(LockCommand.class, DemoCommand.class, CommandLine.HelpCommand.class);
    }
    // a config file's keys are checked against every command
    assertThat(PitstopCli.reachable(withConfig, ConfigDefaults.load(Map.of(), withConfig)))
        .contains(LockCommand.class, ScaleUpCommand.class);
    Result help = cli.run("status", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: pitstop status");
  }

  @Test
  void aFlagWinsOverTheEnvironmentWhichWinsOverTheConfigFile() throws IOException {
    Path config = dir.resolve("pitstop.yaml");
    Files.writeString(
        config,
        "app: from-file\nnamespace: file-ns\ntimeout: 7m\nworkload: [deployment/a, deployment/b]\n"
            + "scale-down:\n  selector: tier=web\n");
    Map<String, String> env = Map.of("PITSTOP_NAMESPACE", "env-ns", "PITSTOP_TIMEOUT", "3m");

    ScaleDownCommand fromAll =
        (ScaleDownCommand)
            parse(env, "scale-down", "--config", config.toString(), "--timeout", "90s");

    assertThat(fromAll.common.app).isEqualTo("from-file");
    assertThat(fromAll.common.namespace).isEqualTo("env-ns");
    assertThat(fromAll.common.timeout).isEqualTo(Duration.ofSeconds(90));
    assertThat(fromAll.workloads.workloads).containsExactly("deployment/a", "deployment/b");
    assertThat(fromAll.workloads.selector).isEqualTo("tier=web");

    ScaleDownCommand envList =
        (ScaleDownCommand)
            parse(
                Map.of("PITSTOP_WORKLOAD", "deployment/x\nstatefulset/y"),
                "scale-down",
                "--config",
                config.toString());
    assertThat(envList.workloads.workloads).containsExactly("deployment/x", "statefulset/y");
    assertThat(envList.common.timeout).isEqualTo(Duration.ofMinutes(7));

    ScaleDownCommand flags =
        (ScaleDownCommand)
            parse(env, "scale-down", "--config", config.toString(), "--workload", "deployment/z");
    assertThat(flags.workloads.workloads).containsExactly("deployment/z");
  }

  @Test
  void anEmptyEnvironmentVariableDoesNotHideTheConfigFile() throws IOException {
    Path config = dir.resolve("pitstop.yaml");
    Files.writeString(config, "namespace: file-ns\nworkload: [deployment/a]\ntimeout: 7m\n");

    ScaleDownCommand command =
        (ScaleDownCommand)
            parse(
                Map.of("PITSTOP_NAMESPACE", "", "PITSTOP_WORKLOAD", "", "PITSTOP_TIMEOUT", " "),
                "scale-down",
                "--config",
                config.toString());

    assertThat(command.common.namespace).isEqualTo("file-ns");
    assertThat(command.workloads.workloads).containsExactly("deployment/a");
    assertThat(command.common.timeout).isEqualTo(Duration.ofMinutes(7));
  }

  @Test
  void theConfigFileCanComeFromTheEnvironment() throws IOException {
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, "app: shop\n");

    LockCommand lock = (LockCommand) parse(Map.of("PITSTOP_CONFIG", config.toString()), "lock");

    assertThat(lock.common.app).isEqualTo("shop");
  }

  @Test
  void badConfigFilesAreExit2WithOneLine() throws IOException {
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "app: shop\nnamspace: shop\n");
    Path notYaml = dir.resolve("bad.yaml");
    Files.writeString(notYaml, "app: [unclosed\n");
    Path wrongSection = dir.resolve("section.yaml");
    Files.writeString(wrongSection, "lock:\n  workload: deployment/x\n");

    assertBad(cli.run("lock", "--config", typo.toString()), "unknown option 'namspace'");
    assertBad(cli.run("lock", "--config", notYaml.toString()), "not valid YAML");
    assertBad(cli.run("lock", "--config", dir.resolve("none.yaml").toString()), "does not exist");
    assertBad(
        cli.run("lock", "--config", wrongSection.toString()), "'lock' has no option 'workload'");

    // found while picocli fills in defaults: said in the file's words, without picocli's
    Path list = dir.resolve("list.yaml");
    Files.writeString(list, "app: shop\nrun-id: r1\ntimeout: [1m, 2m]\n");
    Result listed = cli.run("lock", "--config", list.toString());
    assertBad(listed, "config file " + list + ": 'timeout' takes one value, not a list");
    assertThat(listed.err()).doesNotContain("PitstopException", "arg[");
  }

  @Test
  void badInputIsExit2BeforeAnyClusterIsContacted() {
    assertBad(cli.run("lock", "--run-id", "r1"), "missing --app");
    assertBad(cli.run("lock", "--app", "shop"), "missing --run-id");
    assertBad(
        cli.run("lock", "--app", "shop", "--run-id", "bad id!"), "--run-id 'bad id!' is not valid");
    assertBad(
        cli.run("lock", "--app", "shop", "--run-id", "r", "-n", "Bad_NS"), "not a valid name");
    assertBad(
        cli.run("lock", "--app", "shop", "--run-id", "r", "--timeout", "5 minutes"),
        "invalid duration");
    assertBad(
        cli.run("lock", "--app", "shop", "--run-id", "r", "--output", "xml"),
        "'--output': expected one of text, json but was 'xml'");
    assertBad(
        cli.run("scale-down", "--app", "shop", "--run-id", "r", "--workload", "daemonset/x"),
        "suspends cronjob/NAME");
    assertBad(cli.run("nosuchstep"), "unknown command 'nosuchstep'");
    assertBad(cli.run(), "name a subcommand");
  }

  private static void assertBad(Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).as(result.toString()).contains(message);
    assertThat(result.out()).as("nothing on stdout without -o json").isEmpty();
  }

  @Test
  void blankValuesCountAsNotGivenSoPipelineParametersCanBeEmpty() throws IOException {
    Path config = dir.resolve("pitstop.yaml");
    Files.writeString(config, "app: shop\nselector: app=shop\nworkload: [deployment/web]\n");

    ScaleDownCommand blank =
        (ScaleDownCommand)
            parse(
                Map.of("PITSTOP_NAMESPACE", ""),
                "scale-down",
                "--config",
                config.toString(),
                "--app",
                "",
                "--selector",
                "",
                "--workload",
                "");

    assertThat(blank.common.app).isEqualTo("shop");
    assertThat(blank.common.namespace).isNull();
    assertThat(blank.workloads.selector).isEqualTo("app=shop");
    assertThat(blank.workloads.workloads).containsExactly("deployment/web");
  }

  @Test
  void anEmptyValueOfAnyTypeCountsAsNotGivenAndFallsBackToTheConfigFile() throws IOException {
    Path config = dir.resolve("pitstop.yaml");
    Files.writeString(
        config,
        "app: shop\ntimeout: 7m\nretries: 5\nkeep: 4\nexpect-status: 204\n"
            + "terminate-sessions: true\n");

    RunCommand run =
        (RunCommand)
            parse(
                Map.of(),
                "run",
                "--config",
                config.toString(),
                "--timeout",
                "",
                "--retries",
                "",
                "--keep=",
                "--expect-status",
                " ",
                "--terminate-sessions=");

    assertThat(run.common.timeout).isEqualTo(Duration.ofMinutes(7));
    assertThat(run.retries).isEqualTo(5);
    assertThat(run.keep.keep).isEqualTo(4);
    assertThat(run.smoke.expectStatus).isEqualTo(204);
    assertThat(run.sessions.terminateSessions).isTrue();
  }

  @Test
  void anOptionGivenTwiceTakesTheLastValueAsKubectlDoes() {
    LockCommand lock =
        (LockCommand)
            parse(
                Map.of(),
                "lock",
                "--app",
                "shop",
                "--timeout",
                "1m",
                "--run-id",
                "r",
                "--timeout",
                "3m");

    assertThat(lock.common.timeout).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void aMistypedOptionIsNamedAloneWithTheClosestRealOne() {
    Result typo = cli.run("lock", "--app", "shop", "--run-id", "r", "--tiemout", "5m");

    assertBad(typo, "unknown option --tiemout (did you mean --timeout?)");
    assertThat(typo.err()).doesNotContain("'5m'");
  }

  @Test
  void workloadsMayBeCommaSeparatedAndTheSelectorTakesKubectlsShortOption() {
    ScaleDownCommand scaleDown =
        (ScaleDownCommand)
            parse(
                Map.of(),
                "scale-down",
                "--app",
                "shop",
                "--run-id",
                "r",
                "--workload",
                "deployment/web,statefulset/worker",
                "--workload",
                "cronjob/report",
                "-l",
                "app==shop");

    assertThat(scaleDown.workloads.workloads)
        .containsExactly("deployment/web", "statefulset/worker", "cronjob/report");
    assertThat(scaleDown.workloads.parse().selector()).containsExactly(Map.entry("app", "shop"));
  }

  @Test
  void aFailedStepStillWritesItsExitCodeAndErrorForPipelines() throws IOException {
    Path results = dir.resolve("results");

    Result refused =
        cli.run("lock", "--run-id", "r1", "--results-dir", results.toString(), "-o", "json");

    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(Files.readString(results.resolve("exit-code"))).isEqualTo("2");
    assertThat(Files.readString(results.resolve("error"))).startsWith("missing --app");
    assertThat(refused.out()).contains("\"exit-code\":2").contains("\"error\":\"missing --app");
  }

  @Test
  void aCommandLineThatCannotBeParsedStillAnswersInJsonAndInTheResultsFolder() throws IOException {
    Path results = dir.resolve("results");

    Result typo =
        cli.run(
            "lock",
            "--app",
            "shop",
            "--results-dir",
            results.toString(),
            "--output",
            "json",
            "--tiemout",
            "5m");

    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.out())
        .contains("\"command\":\"lock\"")
        .contains("\"exit-code\":2")
        .contains("unknown option --tiemout");
    assertThat(Files.readString(results.resolve("exit-code"))).isEqualTo("2");
    assertThat(Files.readString(results.resolve("error"))).contains("--tiemout");
  }
}
