package dev.pitstop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import org.junit.jupiter.api.Test;

/** Bad input to {@code plan} is one clear line and exit 2, before any cluster is asked. */
class PlanCommandTest {
  private final CliRunner cli =
      new CliRunner(
          () -> {
            throw new AssertionError("this test must not reach a cluster");
          });

  private static void assertBad(Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).as(result.toString()).contains(message);
    assertThat(result.err().lines().count()).as(result.toString()).isLessThanOrEqualTo(2);
    assertThat(result.out()).isEmpty();
  }

  @Test
  void withNeitherADatabaseNorWorkloadsThereIsNothingToPlan() {
    assertBad(
        cli.run("plan", "--app", "shop", "-n", "shop"),
        "give --jdbc-url (to find the workloads that use the database) or name them");
  }

  @Test
  void anUnknownEmitFormIsExit2() {
    assertBad(
        cli.run("plan", "--app", "shop", "--workload", "deployment/web", "--emit", "helm"),
        "--emit 'helm' is not one of config, argo, tekton");
  }

  @Test
  void aMissingMigrationFolderIsExit2() {
    assertBad(
        cli.run(
            "plan",
            "--app",
            "shop",
            "--jdbc-url",
            "jdbc:postgresql://db:5432/shop",
            "--locations",
            "filesystem:/no/such/folder"),
        "is not a directory");
  }

  @Test
  void badWorkloadsAndModesAreExit2() {
    assertBad(cli.run("plan", "--app", "shop", "--workload", "pod/web"), "unknown workload kind");
    assertBad(
        cli.run("plan", "--app", "shop", "--workload", "deployment/web", "--mode", "service"),
        "--mode service needs --service");
    assertBad(cli.run("plan", "--workload", "deployment/web"), "missing --app");
  }

  @Test
  void helpSaysWhatEachExitCodeMeans() {
    Result help = cli.run("plan", "--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("Usage: pitstop plan")
        .contains("0 the plan is runnable, 5 it has blockers")
        .contains("--read-secrets")
        .contains("--emit");
  }
}
