package dev.pitstop.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitstop.db.DbConnection;
import dev.pitstop.demo.DemoCluster;
import dev.pitstop.testing.ApiFaults;
import dev.pitstop.testing.ApiFaults.Call;
import dev.pitstop.testing.ApiFaults.Fault;
import dev.pitstop.testing.ApiFaults.Point;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.EndState;
import dev.pitstop.testing.EndState.Verdict;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.TestPostgres;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix: {@code pitstop run} with a fault injected at Kubernetes API calls and database
 * boundaries of the procedure, and the end state of each case checked to be one of the three the
 * design allows. The cases and their end states are written to {@code
 * target/reliability-matrix.md}, the source of docs/RELIABILITY.md.
 *
 * <p>How the API fault points are chosen: a clean run is recorded first; for every step that calls
 * the API, its first read, its first write (usually the write-ahead record) and its last write
 * (usually the change itself, or the record that it is done) are its points. A kill goes to every
 * write point (a kill before a read is the same as a kill after the write before it), followed by a
 * new {@code run} with the same run id; a kill at each step's last point is also followed by {@code
 * rollback}, {@code maintenance-off}, {@code unlock}. One transient fault goes to each step's first
 * write, the kinds (500, 429, 409, connection reset, timeout) taking turns, because a single
 * transient fault is absorbed by the same retry wherever it hits; every kind is covered.
 */
class FaultMatrixIT {
  private static final String NS = "shop";
  private static final String APP = "shop";
  private static final String RUN = "run-1";

  private static TestPostgres postgres;
  private static final List<Row> ROWS = new java.util.concurrent.CopyOnWriteArrayList<>();
  @TempDir Path dir;

  /** One case: a fault at a step, and where the run ended. */
  record Row(String fault, String step, String where, EndState state, String detail) {}

  @BeforeAll
  static void startPostgres() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgresAndWriteTheMatrix() throws IOException {
    postgres.close();
    writeMatrix(Path.of("target", "reliability-matrix.md"));
  }

  /** One case's world: a fresh cluster, a fresh database, the CLI behind the fault injector. */
  private final class World implements AutoCloseable {
    final DemoCluster cluster = DemoCluster.start(NS);
    final ApiFaults faults = new ApiFaults();
    final RunFixture db;
    final EndState.Before before;
    final CliRunner cli;
    final Config config;

    World() throws SQLException {
      try (KubernetesClient template = cluster.newClient()) {
        config = template.getConfiguration();
      }
      KubernetesClient client = cluster.client();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  client
                              .pods()
                              .inNamespace(NS)
                              .withLabel("component", "web")
                              .list()
                              .getItems()
                              .size()
                          == 3
                      && client
                              .pods()
                              .inNamespace(NS)
                              .withLabel("component", "worker")
                              .list()
                              .getItems()
                              .size()
                          == 2);
      db = RunFixture.start(postgres, "shop", new CliRunner(cluster::newClient));
      before = EndState.Before.of(db);
      cli = faults.runner(config);
    }

    /**
     * A run with the fixture's options, where an option in {@code extra} replaces the fixture's.
     */
    Result run(String... extra) {
      List<String> base = db.runArgs(APP, RUN);
      base.addAll(List.of("--timeout", "6s"));
      for (String option : extra) {
        int at = option.startsWith("--") ? base.indexOf(option) : -1;
        if (at >= 0) {
          base.subList(at, at + 2).clear();
        }
      }
      List<String> args = new ArrayList<>(List.of("run", "--app", APP, "-n", NS));
      args.addAll(base);
      args.addAll(List.of(extra));
      return cli.run(args.toArray(String[]::new));
    }

    Result runToV2(String... extra) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--locations",
                  RunFixture.V2,
                  "--image",
                  "web=shop:2.0",
                  "--expect-version",
                  "2",
                  "--snapshot"));
      args.addAll(List.of(extra));
      return run(args.toArray(String[]::new));
    }

    Result pitstop(String... args) {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--app", APP, "-n", NS, "--timeout", "6s"));
      return cli.run(all.toArray(String[]::new));
    }

    Verdict verdict(String newVersion) throws SQLException {
      return EndState.classify(
          cluster.client(), NS, APP, db, before, newVersion, "shop:2.0", () -> pitstop("status"));
    }

    @Override
    public void close() {
      faults.close();
      db.close();
      cluster.close();
    }
  }

  /** The API fault points of a clean run, recorded once for the class. */
  private static Map<String, List<Point>> points;

  private Map<String, List<Point>> points() throws Exception {
    if (points == null) {
      try (World world = new World()) {
        Result result = world.runToV2();
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(world.verdict("2").state()).isEqualTo(EndState.MIGRATED);
        points = pointsPerStep(world.faults.calls());
      }
      assertThat(points.keySet())
          .as("steps that call the API in a clean run")
          .contains(
              "lock", "maintenance-on", "scale-down", "scale-up", "maintenance-off", "unlock");
    }
    return points;
  }

  @Test
  void transientApiFaultsAtEveryStepAreRetriedAndTheRunMigrates() throws Exception {
    List<Fault> kinds =
        List.of(Fault.HTTP_500, Fault.HTTP_429, Fault.HTTP_409, Fault.RESET, Fault.TIMEOUT);
    int i = 0;
    for (List<Point> stepPoints : points().values()) {
      apiCase(firstWrite(stepPoints), kinds.get(i++ % kinds.size()), false);
    }
    assertAllowedEndStates();
  }

  @Test
  void aProcessKilledAtAnyPointIsFinishedByRunningAgainWithTheSameRunId() throws Exception {
    for (List<Point> stepPoints : points().values()) {
      for (Point point : stepPoints) {
        if (point.write()) {
          apiCase(point, Fault.KILL, false);
        }
      }
    }
    assertAllowedEndStates();
  }

  @Test
  void aProcessKilledAtAnyStepIsUndoneExactlyByRollback() throws Exception {
    for (List<Point> stepPoints : points().values()) {
      apiCase(stepPoints.get(stepPoints.size() - 1), Fault.KILL, true);
    }
    assertAllowedEndStates();
  }

  private static Point firstWrite(List<Point> stepPoints) {
    return stepPoints.stream().filter(Point::write).findFirst().orElse(stepPoints.get(0));
  }

  private static void assertAllowedEndStates() {
    assertThat(ROWS)
        .as("cases that ended in a state the design does not allow")
        .filteredOn(row -> row.state() == EndState.OTHER)
        .isEmpty();
  }

  /** First read, first write and last write of every step, in procedure order. */
  private static Map<String, List<Point>> pointsPerStep(List<Call> calls) {
    Map<String, List<Call>> byStep = new LinkedHashMap<>();
    calls.forEach(c -> byStep.computeIfAbsent(c.step(), k -> new ArrayList<>()).add(c));
    Map<String, List<Point>> points = new LinkedHashMap<>();
    byStep.forEach(
        (step, stepCalls) -> {
          if (step.equals("-")) {
            return;
          }
          Set<Point> chosen = new LinkedHashSet<>();
          stepCalls.stream()
              .filter(c -> !c.isWrite())
              .findFirst()
              .ifPresent(c -> chosen.add(c.point()));
          List<Call> writes = stepCalls.stream().filter(Call::isWrite).toList();
          if (!writes.isEmpty()) {
            chosen.add(writes.get(0).point());
            chosen.add(writes.get(writes.size() - 1).point());
          }
          points.put(step, List.copyOf(chosen));
        });
    return points;
  }

  private void apiCase(Point point, Fault fault, boolean rollbackAfterKill) throws Exception {
    try (World world = new World()) {
      world.faults.failAt(point, fault);
      Result first = null;
      boolean killed = false;
      try {
        first = world.runToV2();
      } catch (ApiFaults.Killed e) {
        killed = true;
      }
      assertThat(world.faults.injectedAt())
          .as("fault %s at %s was reached", fault, point)
          .isNotNull();
      String where = point.toString();
      if (fault == Fault.KILL) {
        assertThat(killed).as("the kill ended the CLI at " + point + ": " + first).isTrue();
        world.faults.disarm();
        if (rollbackAfterKill) {
          Result rollback =
              world.pitstop(
                  "rollback",
                  "--run-id",
                  RUN,
                  "--jdbc-url",
                  world.db.jdbcUrl(),
                  "--db-user",
                  "postgres");
          world.pitstop("maintenance-off", "--run-id", RUN);
          world.pitstop("unlock", "--run-id", RUN);
          record(
              "process killed, then rollback, maintenance-off, unlock",
              point.step(),
              where,
              world.verdict("2"),
              "rollback exit " + rollback.exitCode());
          return;
        }
        Result again = world.runToV2();
        record(
            "process killed, then run again",
            point.step(),
            where,
            world.verdict("2"),
            "second run exit " + again.exitCode());
        return;
      }
      record(
          fault.label(),
          point.step(),
          where,
          world.verdict("2"),
          "exit " + first.exitCode() + firstFailure(first));
    }
  }

  @Test
  void aHeldTableLockEndsInARollbackWithTheDatabaseUntouched() throws Exception {
    // A session holds an exclusive lock on orders for the whole run: the migration gives up
    // (lock_timeout, 55P03), the run rolls back.
    try (World world = new World();
        Connection holder = postgres.jdbc("shop", "reporting-job")) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
      }
      Result result = world.runToV2("--lock-timeout", "300ms", "--timeout", "3s");
      holder.rollback();
      record(
          "DB lock held (lock_timeout 55P03)",
          "migrate",
          "ALTER TABLE orders",
          world.verdict("2"),
          "exit " + result.exitCode() + firstFailure(result));
    }
    assertAllowedEndStates();
  }

  @Test
  void aTerminatedMigrationSessionIsRetriedOrRolledBack() throws Exception {
    // The migrating session is terminated by an administrator (or a failover) mid-migration.
    Path slow =
        TestPostgres.migration(
            dir.resolve("slow"),
            "V2__slow_status.sql",
            "SELECT pg_sleep(3);\nALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'paid';");
    for (int retries : new int[] {0, 1}) {
      try (World world = new World()) {
        CompletableFuture<Boolean> terminator =
            CompletableFuture.supplyAsync(
                () -> {
                  await()
                      .atMost(Duration.ofSeconds(20))
                      .pollInterval(Duration.ofMillis(20))
                      .until(FaultMatrixIT::terminateMigratingSession);
                  return true;
                });
        Result result =
            world.run(
                "--locations",
                RunFixture.V1 + ",filesystem:" + slow,
                "--image",
                "web=shop:2.0",
                "--expect-version",
                "2",
                "--retries",
                String.valueOf(retries));
        assertThat(terminator.exceptionally(e -> false).join()).as(result.toString()).isTrue();
        record(
            "DB connection lost (backend terminated), run --retries " + retries,
            "migrate",
            "pg_sleep in V2",
            world.verdict("2"),
            "exit " + result.exitCode() + firstFailure(result));
      }
    }
    assertAllowedEndStates();
  }

  /** The first step failure the run reported, for the case's detail. */
  private static String firstFailure(Result result) {
    return result
        .err()
        .lines()
        .filter(line -> line.contains("FAILED("))
        .findFirst()
        .map(line -> "; " + line.strip().replaceAll("\\s+", " "))
        .map(line -> line.length() > 200 ? line.substring(0, 200) + "…" : line)
        .orElse("");
  }

  @Test
  void aFailingMigrationEndsRolledBackOrStoppedNeverHalfDone() throws Exception {
    // A migration fails with an SQL error: atomic (nothing committed), with a snapshot after a
    // non-transactional step, and without a snapshot after a non-transactional step.
    List<List<String>> sqlErrorRuns =
        List.of(List.of(), List.of("--no-atomic", "--snapshot"), List.of("--no-atomic"));
    List<String> names =
        List.of(
            "SQL error, atomic",
            "SQL error after a committed step, snapshot",
            "SQL error after a committed step, no snapshot");
    for (int i = 0; i < sqlErrorRuns.size(); i++) {
      try (World world = new World()) {
        List<String> args =
            new ArrayList<>(List.of("--locations", RunFixture.V4, "--image", "web=shop:2.0"));
        args.addAll(sqlErrorRuns.get(i));
        Result result = world.run(args.toArray(String[]::new));
        record(
            names.get(i),
            "migrate",
            "V4 division by zero",
            world.verdict("4"),
            "exit " + result.exitCode() + firstFailure(result));
      }
    }
    assertAllowedEndStates();
    assertThat(ROWS)
        .filteredOn(row -> row.fault().startsWith("SQL error"))
        .extracting(Row::state)
        .containsExactly(EndState.ROLLED_BACK, EndState.ROLLED_BACK, EndState.STOPPED);
  }

  /** Terminates the pitstop session that is running the slow migration, if it is there yet. */
  private static boolean terminateMigratingSession() throws SQLException {
    try (Connection c = postgres.jdbc("postgres", "terminator");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                    + DbConnection.APPLICATION_NAME
                    + "' AND query LIKE '%pg_sleep%' AND state = 'active'")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private static void record(String fault, String step, String where, Verdict verdict, String how) {
    ROWS.add(new Row(fault, step, where, verdict.state(), how + "; " + verdict.facts()));
  }

  private static void writeMatrix(Path file) throws IOException {
    Map<String, Map<EndState, Integer>> counts = new LinkedHashMap<>();
    for (Row row : ROWS) {
      counts
          .computeIfAbsent(
              row.fault() + " | `" + row.step() + "`", k -> new EnumMap<>(EndState.class))
          .merge(row.state(), 1, Integer::sum);
    }
    StringBuilder md = new StringBuilder();
    md.append("| fault | step | (a) migrated & up | (b) rolled back exactly |")
        .append(" (c) stopped: maintenance on, locked, status says next | other |\n")
        .append("|---|---|---|---|---|---|\n");
    Map<EndState, Integer> totals = new EnumMap<>(EndState.class);
    counts.forEach(
        (key, perState) -> {
          md.append("| ").append(key);
          for (EndState state : EndState.values()) {
            int n = perState.getOrDefault(state, 0);
            totals.merge(state, n, Integer::sum);
            md.append(" | ").append(n);
          }
          md.append(" |\n");
        });
    md.append("| **total** | ").append(ROWS.size()).append(" cases");
    for (EndState state : EndState.values()) {
      md.append(" | **").append(totals.getOrDefault(state, 0)).append("**");
    }
    md.append(" |\n\n<details><summary>every case</summary>\n\n")
        .append("| fault | at | end state | detail |\n|---|---|---|---|\n");
    for (Row row : ROWS) {
      md.append("| ")
          .append(row.fault())
          .append(" | ")
          .append(row.where())
          .append(" | ")
          .append(row.state().label())
          .append(" | ")
          .append(row.detail().replace("|", "\\|"))
          .append(" |\n");
    }
    md.append("\n</details>\n");
    Files.createDirectories(file.getParent());
    Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
  }
}
