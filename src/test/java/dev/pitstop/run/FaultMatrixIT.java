package dev.pitstop.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitstop.db.DbConnection;
import dev.pitstop.demo.DemoCluster;
import dev.pitstop.demo.SampleApp;
import dev.pitstop.demo.SimulatedControllers;
import dev.pitstop.testing.ApiFaults;
import dev.pitstop.testing.ApiFaults.Call;
import dev.pitstop.testing.ApiFaults.Fault;
import dev.pitstop.testing.ApiFaults.Point;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.DbFaults;
import dev.pitstop.testing.DbFaults.Executed;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix: {@code pitstop run} with a fault injected at Kubernetes API requests and
 * database statements of the procedure, and the end state of each case checked to be one of the
 * three the design allows. The cases and their end states are written to {@code
 * target/reliability-matrix.md}, the source of docs/RELIABILITY.md.
 *
 * <p>A clean run is recorded first: every API request it sends and every database statement it
 * executes, each named by its step and its ordinal within the step. Then, in the default ("cover")
 * mode, every request gets a kill followed by {@code run} again with the same run id; each step's
 * first and last request and every fourth one between get a transient fault, the kinds (500, 429,
 * 409, connection reset, timeout) taking turns by request; a kill followed by {@code rollback},
 * {@code maintenance-off}, {@code unlock} goes to every step's first and last request; a 403 to
 * every step's first write of the app's state; an API outage longer than {@code --timeout} to every
 * step's first request, followed by {@code status} and then {@code run} again or the human path,
 * taking turns; and each step's first and last database statement and every eighth between get a
 * fault, the kinds (connection lost, lock_timeout, SQL error) taking turns. The one-pod route
 * (lock, then {@code run --from maintenance-on --no-unlock} and {@code finish}, each a process) is
 * killed at each step's first and last request and every fourth between, that pod then started
 * again and finish run. With {@code -Dpitstop.faults=exhaustive} every request gets every kind and
 * both recoveries, every outage both recoveries, every statement every kind.
 *
 * <p>Each case has its own namespace on one in-memory API server for the class and its own database
 * copied from a prepared template; cases run {@code -Dpitstop.faults.threads} (default 3) at a
 * time.
 */
class FaultMatrixIT {
  private static final String APP = "shop";
  private static final String RUN = "run-1";
  private static final String TEMPLATE = "shop_v1";
  private static final boolean EXHAUSTIVE =
      "exhaustive".equals(System.getProperty("pitstop.faults", "cover"));
  private static final int THREADS = Integer.getInteger("pitstop.faults.threads", 3);
  private static final List<Fault> TRANSIENT =
      List.of(Fault.HTTP_500, Fault.HTTP_429, Fault.HTTP_409, Fault.RESET, Fault.TIMEOUT);

  private static TestPostgres postgres;
  private static DemoCluster cluster;
  private static Config config;
  private static EndState.Before before;
  private static final AtomicInteger CASES = new AtomicInteger();
  private static final List<Row> ROWS = new CopyOnWriteArrayList<>();
  private static final List<String> NOT_REACHED = new CopyOnWriteArrayList<>();
  private static long started;
  @TempDir Path dir;

  /** One case: a fault at a step, and where the run ended. */
  record Row(String fault, String step, String where, EndState state, String detail) {}

  /** One process of a pipeline's route, by the step it runs. */
  record Command(String name, Supplier<Result> run) {}

  @BeforeAll
  static void startServers() throws SQLException {
    started = System.nanoTime();
    postgres = TestPostgres.start();
    cluster = DemoCluster.start("setup");
    cluster.controllers().close();
    try (KubernetesClient template = cluster.newClient()) {
      config = template.getConfiguration();
    }
    RunFixture fixture = RunFixture.start(postgres, TEMPLATE, new CliRunner(cluster::newClient));
    before = EndState.Before.of(fixture);
    fixture.close();
  }

  @AfterAll
  static void stopServersAndWriteTheMatrix() throws IOException {
    cluster.close();
    postgres.close();
    writeMatrix(Path.of("target", "reliability-matrix.md"));
  }

  /**
   * One case's world: its own namespace holding the demo app (with its simulated controllers), its
   * own copy of the version-1 database, the CLI behind the API and database fault injectors.
   */
  private static final class World implements AutoCloseable {
    final String ns = "c" + CASES.incrementAndGet();
    final SimulatedControllers controllers;
    final ApiFaults faults = new ApiFaults();
    final DbFaults dbFaults = new DbFaults();
    final RunFixture db;
    final CliRunner cli;

    World() throws SQLException {
      KubernetesClient client = cluster.client();
      SampleApp.create(client, ns);
      controllers = new SimulatedControllers(client, ns).start();
      db = RunFixture.copyOf(postgres, TEMPLATE, ns);
      cli = faults.runner(config).connections(dbFaults);
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> client.pods().inNamespace(ns).list().getItems().size() == 5);
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
      List<String> args = new ArrayList<>(List.of("run", "--app", APP, "-n", ns));
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
      all.addAll(List.of("--app", APP, "-n", ns, "--timeout", "6s"));
      return cli.run(all.toArray(String[]::new));
    }

    /**
     * The one-pod route as the shipped pipelines' pods run it, each a process of its own: lock, the
     * window ({@code run --from maintenance-on --no-unlock}), and finish (the Argo exit hook, the
     * Tekton finally Task).
     */
    List<Command> onePodRoute() {
      return List.of(
          new Command("lock", () -> pitstop("lock", "--run-id", RUN)),
          new Command(
              "window",
              () -> runToV2("--from", "maintenance-on", "--no-unlock", "--retries", "0")));
    }

    Result finish() {
      return pitstop(
          "finish",
          "--run-id",
          RUN,
          "--jdbc-url",
          db.jdbcUrl(),
          "--db-user",
          "postgres",
          "--sessions-timeout",
          "1s");
    }

    /**
     * Runs the one-pod route. A process killed at the injected fault is, with {@code again}, run
     * once more (Argo retries a step whose pod vanished; Tekton makes a new pod for the same
     * TaskRun), otherwise the pipeline goes straight to finish. A forward step that fails ends the
     * forward part. Finish runs at the end whatever happened, once more if it did not succeed (the
     * exit hook's second finish, the finally Task's retries).
     */
    String onePod(boolean again) {
      StringBuilder how = new StringBuilder();
      for (Command command : onePodRoute()) {
        Result result;
        try {
          result = command.run().get();
        } catch (ApiFaults.Killed e) {
          how.append(command.name()).append(" killed; ");
          if (!again) {
            break;
          }
          result = command.run().get();
          how.append("again ");
        }
        how.append(command.name()).append(" exit ").append(result.exitCode()).append("; ");
        if (result.exitCode() != 0) {
          how.append(firstFailure(result).replaceFirst("^; ", "")).append("; ");
          break;
        }
      }
      Result finish;
      try {
        finish = finish();
      } catch (ApiFaults.Killed e) {
        how.append("finish killed; ");
        finish = finish();
      }
      how.append("finish exit ").append(finish.exitCode());
      if (finish.exitCode() != 0) {
        finish = finish();
        how.append(", again exit ").append(finish.exitCode());
      }
      return how.toString();
    }

    /**
     * The one-pod route during an API outage that outlasts each process's --timeout: every process
     * from the faulted one on fails while it lasts, the pipeline's finish too; once it ends, status
     * must say what is left, and finish, the command it names, runs again.
     */
    String onePodWithOutage() {
      StringBuilder how = new StringBuilder();
      for (Command command : onePodRoute()) {
        Result result = command.run().get();
        how.append(command.name()).append(" exit ").append(result.exitCode()).append("; ");
        if (result.exitCode() != 0) {
          break;
        }
      }
      // the pipeline's finish runs while the outage lasts, and fails with it
      Result finish = finish();
      how.append("finish exit ").append(finish.exitCode()).append("; ");
      faults.endOutage();
      Result status = pitstop("status");
      assertThat(status.exitCode()).as("status after the outage: " + status).isZero();
      how.append("status: ").append(nextLine(status));
      if (finish.exitCode() != 0) {
        // the human runs the next command status names: finish, once the API is back
        finish = finish();
        how.append("; finish again exit ").append(finish.exitCode());
      }
      return how.toString();
    }

    /** What a human runs after a failed or killed run: rollback, maintenance-off, unlock. */
    String humanPath() {
      Result rollback =
          pitstop("rollback", "--run-id", RUN, "--jdbc-url", db.jdbcUrl(), "--db-user", "postgres");
      Result off = pitstop("maintenance-off", "--run-id", RUN);
      Result unlock = pitstop("unlock", "--run-id", RUN);
      return "rollback exit "
          + rollback.exitCode()
          + ", maintenance-off exit "
          + off.exitCode()
          + ", unlock exit "
          + unlock.exitCode();
    }

    Verdict verdict(String newVersion) throws SQLException {
      faults.disarm();
      return EndState.classify(
          cluster.client(), ns, APP, db, before, newVersion, "shop:2.0", () -> pitstop("status"));
    }

    @Override
    public void close() {
      controllers.close();
      faults.close();
      db.close();
      try {
        db.dropDatabases();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot drop the case's databases", e);
      }
    }
  }

  /** The requests and statements of a clean run, recorded once for the class. */
  private static List<Call> calls;

  private static List<Executed> statements;

  private static synchronized void recordCleanRun() throws Exception {
    if (calls != null) {
      return;
    }
    try (World world = new World()) {
      Result result = world.runToV2();
      assertThat(result.exitCode()).as(result.toString()).isZero();
      List<Call> seen = world.faults.calls();
      List<Executed> executed = world.dbFaults.executed();
      assertThat(world.verdict("2").state()).isEqualTo(EndState.MIGRATED);
      calls = seen.stream().filter(c -> !c.step().equals("-")).toList();
      statements = executed.stream().filter(e -> !e.step().equals("-")).toList();
      StringBuilder log = new StringBuilder("# API requests of a clean run\n");
      seen.forEach(c -> log.append(c).append('\n'));
      log.append("\n# database statements of a clean run\n");
      executed.forEach(e -> log.append(e).append('\n'));
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "fault-points.txt"), log, StandardCharsets.UTF_8);
    }
    assertThat(calls.stream().map(Call::step).distinct())
        .as("steps that call the API in a clean run")
        .contains("lock", "maintenance-on", "scale-down", "scale-up", "maintenance-off", "unlock");
    assertThat(statements.stream().map(Executed::step).distinct())
        .as("steps that use the database in a clean run")
        .contains("snapshot", "migrate", "verify");
  }

  /** The requests and statements of a clean run of the one-pod route, recorded once. */
  private static List<Call> onePodCalls;

  private static List<Executed> onePodStatements;

  private static synchronized void recordCleanOnePodRoute() throws Exception {
    if (onePodCalls != null) {
      return;
    }
    try (World world = new World()) {
      String how = world.onePod(true);
      assertThat(how).as("a clean one-pod route").doesNotContain("exit 1", "exit 2", "exit 4");
      assertThat(world.verdict("2").state()).as(how).isEqualTo(EndState.MIGRATED);
      onePodCalls = world.faults.calls().stream().filter(c -> !c.step().equals("-")).toList();
      onePodStatements =
          world.dbFaults.executed().stream().filter(e -> !e.step().equals("-")).toList();
    }
    assertThat(onePodCalls.stream().map(Call::step).distinct())
        .as("steps of the one-pod route that call the API")
        .contains("lock", "maintenance-on", "scale-down", "scale-up", "maintenance-off", "unlock");
  }

  /** A case to run: its body records its row. */
  private interface Case {
    void run() throws Exception;
  }

  /** Runs the cases {@link #THREADS} at a time, then checks every end state is allowed. */
  private static void runAll(List<Case> cases) throws Exception {
    int from = ROWS.size();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    Exception first = null;
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Case c : cases) {
        done.add(
            pool.submit(
                () -> {
                  c.run();
                  return null;
                }));
      }
      for (Future<?> f : done) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (first == null) {
            first = e;
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (first != null) {
      throw first;
    }
    assertThat(ROWS.subList(from, ROWS.size()))
        .as("cases that ended in a state the design does not allow")
        .filteredOn(row -> row.state() == EndState.OTHER)
        .isEmpty();
  }

  private static void assertAllowedEndStates() {
    assertThat(ROWS)
        .as("cases that ended in a state the design does not allow")
        .filteredOn(row -> row.state() == EndState.OTHER)
        .isEmpty();
  }

  @Test
  void aProcessKilledAtEveryRequestIsFinishedByRunningAgainWithTheSameRunId() throws Exception {
    recordCleanRun();
    List<Case> cases = new ArrayList<>();
    for (Point point : killPoints()) {
      cases.add(() -> apiCase(point, Fault.KILL, Recovery.RUN_AGAIN));
    }
    runAll(cases);
  }

  @Test
  void aTransientApiFaultAtAnyRequestIsRetriedAndTheRunMigrates() throws Exception {
    recordCleanRun();
    List<Case> cases = new ArrayList<>();
    int i = 0;
    for (Point point : spread(distinctPoints(calls), Point::step, 4)) {
      List<Fault> kinds = EXHAUSTIVE ? TRANSIENT : List.of(TRANSIENT.get(i++ % TRANSIENT.size()));
      for (Fault kind : kinds) {
        cases.add(() -> apiCase(point, kind, Recovery.NONE));
      }
    }
    runAll(cases);
  }

  @Test
  void aProcessKilledAtAnyStepIsUndoneExactlyByTheHumanPath() throws Exception {
    recordCleanRun();
    List<Case> cases = new ArrayList<>();
    List<Point> points = killPoints();
    if (!EXHAUSTIVE) {
      Set<Point> firstAndLast = new LinkedHashSet<>();
      perStep(points)
          .values()
          .forEach(
              stepPoints -> {
                firstAndLast.add(stepPoints.get(0));
                firstAndLast.add(stepPoints.get(stepPoints.size() - 1));
              });
      points = List.copyOf(firstAndLast);
    }
    for (Point point : points) {
      cases.add(() -> apiCase(point, Fault.KILL, Recovery.HUMAN));
    }
    runAll(cases);
  }

  @Test
  void aForbiddenWriteFailsTheRunAndEndsRolledBackOrStopped() throws Exception {
    recordCleanRun();
    List<Case> cases = new ArrayList<>();
    Map<String, List<Call>> byStep = new LinkedHashMap<>();
    calls.forEach(c -> byStep.computeIfAbsent(c.step(), k -> new ArrayList<>()).add(c));
    byStep.forEach(
        (step, stepCalls) ->
            stepCalls.stream()
                .filter(c -> c.isWrite() && !c.path().endsWith("/events"))
                .findFirst()
                .ifPresent(
                    c -> cases.add(() -> apiCase(c.point(), Fault.HTTP_403, Recovery.NONE))));
    runAll(cases);
    assertThat(ROWS)
        .filteredOn(row -> row.fault().equals(Fault.HTTP_403.label()))
        .as("a 403 is never retried into success")
        .allSatisfy(row -> assertThat(row.detail()).doesNotStartWith("exit 0"));
  }

  @Test
  void anApiOutageLongerThanTheTimeoutEndsInAStateStatusExplains() throws Exception {
    recordCleanRun();
    List<Case> cases = new ArrayList<>();
    int i = 0;
    for (List<Point> stepPoints : perStep(distinctPoints(calls)).values()) {
      Point first = stepPoints.get(0);
      List<Recovery> recoveries =
          EXHAUSTIVE
              ? List.of(Recovery.RUN_AGAIN, Recovery.HUMAN)
              : List.of(i++ % 2 == 0 ? Recovery.RUN_AGAIN : Recovery.HUMAN);
      for (Recovery recovery : recoveries) {
        cases.add(() -> apiCase(first, Fault.OUTAGE, recovery));
      }
    }
    runAll(cases);
  }

  @Test
  void aDatabaseFaultAtAnyStatementEndsMigratedRolledBackOrStopped() throws Exception {
    recordCleanRun();
    List<Case> cases = new ArrayList<>();
    List<DbFaults.Fault> all = List.of(DbFaults.Fault.values());
    int i = 0;
    for (Executed statement : spread(statements, Executed::step, 8)) {
      List<DbFaults.Fault> kinds = EXHAUSTIVE ? all : List.of(all.get(i++ % all.size()));
      for (DbFaults.Fault kind : kinds) {
        cases.add(() -> dbCase(statement, kind));
      }
    }
    runAll(cases);
  }

  @Test
  void theOnePodRouteKilledAtAnyRequestEndsOnceTheKilledPodRunsAgainAndFinishRuns()
      throws Exception {
    recordCleanOnePodRoute();
    List<Case> cases = new ArrayList<>();
    // the window's pod runs run's own code, killed at every request above: here a spread
    for (Point point : spread(onePodKillPoints(), Point::step, 4)) {
      cases.add(() -> onePodCase(point, Fault.KILL, true));
    }
    runAll(cases);
  }

  @Test
  void theOnePodRouteKilledAtAnyStepEndsWithFinishAlone() throws Exception {
    recordCleanOnePodRoute();
    List<Point> points = onePodKillPoints();
    if (!EXHAUSTIVE) {
      Set<Point> firstAndLast = new LinkedHashSet<>();
      perStep(points)
          .values()
          .forEach(
              stepPoints -> {
                firstAndLast.add(stepPoints.get(0));
                firstAndLast.add(stepPoints.get(stepPoints.size() - 1));
              });
      points = List.copyOf(firstAndLast);
    }
    List<Case> cases = new ArrayList<>();
    for (Point point : points) {
      cases.add(() -> onePodCase(point, Fault.KILL, false));
    }
    runAll(cases);
  }

  @Test
  void theOnePodRoutesWindowWithAnApiOutageEndsInAStateStatusExplainsAndFinishEnds()
      throws Exception {
    recordCleanOnePodRoute();
    List<Case> cases = new ArrayList<>();
    for (List<Point> stepPoints : perStep(distinctPoints(onePodCalls)).values()) {
      cases.add(() -> onePodCase(stepPoints.get(0), Fault.OUTAGE, false));
    }
    runAll(cases);
  }

  @Test
  void aDatabaseFaultInTheOnePodRoutesWindowEndsMigratedRolledBackOrStopped() throws Exception {
    recordCleanOnePodRoute();
    List<DbFaults.Fault> all = List.of(DbFaults.Fault.values());
    List<Executed> chosen = new ArrayList<>();
    if (EXHAUSTIVE) {
      chosen.addAll(onePodStatements);
    } else {
      Map<String, List<Executed>> byStep = new LinkedHashMap<>();
      onePodStatements.forEach(
          e -> byStep.computeIfAbsent(e.step(), k -> new ArrayList<>()).add(e));
      byStep
          .values()
          .forEach(
              list ->
                  chosen.addAll(
                      new LinkedHashSet<>(List.of(list.get(0), list.get(list.size() - 1)))));
    }
    List<Case> cases = new ArrayList<>();
    int i = 0;
    for (Executed statement : chosen) {
      List<DbFaults.Fault> kinds = EXHAUSTIVE ? all : List.of(all.get(i++ % all.size()));
      for (DbFaults.Fault kind : kinds) {
        cases.add(() -> onePodDbCase(statement, kind));
      }
    }
    runAll(cases);
  }

  private static List<Point> onePodKillPoints() {
    return distinctPoints(onePodCalls.stream().filter(c -> !c.background()).toList());
  }

  private static final String ONE_POD = " (one-pod route)";

  private static void onePodCase(Point point, Fault fault, boolean again) throws Exception {
    try (World world = new World()) {
      world.faults.failAt(point, fault);
      String how;
      if (fault == Fault.OUTAGE) {
        // the window's process, and each after it, meets the outage until it ends
        how = world.onePodWithOutage();
      } else {
        how = world.onePod(again);
      }
      String label =
          fault.label()
              + ONE_POD
              + (fault == Fault.KILL
                  ? again ? ", then the pod again and finish" : ", then finish"
                  : ", then status and finish");
      if (world.faults.injectedAt() == null) {
        assertThat(point.write()).as("write point " + point + " was not reached").isFalse();
        NOT_REACHED.add(label + " at " + point);
        return;
      }
      record(label, point.step(), point.toString(), world.verdict("2"), how);
    }
  }

  private static void onePodDbCase(Executed statement, DbFaults.Fault fault) throws Exception {
    try (World world = new World()) {
      world.dbFaults.failAt(statement.point(), fault);
      String how = world.onePod(true);
      String where = statement.point() + " " + abbreviate(statement.sql(), 60);
      if (world.dbFaults.injectedAt() == null) {
        NOT_REACHED.add(fault.label() + ONE_POD + " at " + where);
        return;
      }
      record(
          fault.label() + ONE_POD,
          statement.step(),
          where,
          world.verdict("2"),
          how + "; raised " + world.dbFaults.raised().getSQLState());
    }
  }

  /** What happens after the faulted run. */
  private enum Recovery {
    NONE(""),
    RUN_AGAIN(", then run again"),
    HUMAN(", then rollback, maintenance-off, unlock");

    final String label;

    Recovery(String label) {
      this.label = label;
    }
  }

  /** Every request of the clean run as a point, in order, each once. */
  private static List<Point> distinctPoints(List<Call> recorded) {
    return List.copyOf(new LinkedHashSet<>(recorded.stream().map(Call::point).toList()));
  }

  /**
   * The requests a step's own thread sends: a kill there ends the CLI. (A watch's requests come
   * from the client's threads; the process dying then is the same as dying at the step's next
   * request.)
   */
  private static List<Point> killPoints() {
    return distinctPoints(calls.stream().filter(c -> !c.background()).toList());
  }

  /**
   * All of {@code items} when exhaustive; in cover mode each step's first and last, and every
   * {@code every}-th between them, so each step keeps its edges and a spread of its middle.
   */
  private static <T> List<T> spread(
      List<T> items, java.util.function.Function<T, String> stepOf, int every) {
    if (EXHAUSTIVE) {
      return items;
    }
    Map<String, List<T>> byStep = new LinkedHashMap<>();
    items.forEach(
        item -> byStep.computeIfAbsent(stepOf.apply(item), k -> new ArrayList<>()).add(item));
    List<T> chosen = new ArrayList<>();
    byStep.forEach(
        (step, stepItems) -> {
          for (int i = 0; i < stepItems.size(); i++) {
            if (i == 0 || i == stepItems.size() - 1 || i % every == 0) {
              chosen.add(stepItems.get(i));
            }
          }
        });
    return chosen;
  }

  private static Map<String, List<Point>> perStep(List<Point> points) {
    Map<String, List<Point>> byStep = new LinkedHashMap<>();
    points.forEach(p -> byStep.computeIfAbsent(p.step(), k -> new ArrayList<>()).add(p));
    return byStep;
  }

  private static void apiCase(Point point, Fault fault, Recovery recovery) throws Exception {
    try (World world = new World()) {
      world.faults.failAt(point, fault);
      Result first = null;
      boolean killed = false;
      List<String> extra = new ArrayList<>();
      if (fault == Fault.OUTAGE) {
        extra.addAll(List.of("--timeout", "1s"));
      }
      try {
        first = world.runToV2(extra.toArray(String[]::new));
      } catch (ApiFaults.Killed e) {
        killed = true;
      }
      String label = fault.label() + recovery.label;
      if (world.faults.injectedAt() == null) {
        // A poll the clean run made more often than this run: the point does not exist here.
        assertThat(point.write()).as("write point " + point + " was not reached").isFalse();
        NOT_REACHED.add(label + " at " + point);
        return;
      }
      if (fault == Fault.KILL) {
        assertThat(killed).as("the kill ended the CLI at " + point + ": " + first).isTrue();
      }
      world.faults.disarm();
      String how = first == null ? "killed" : "exit " + first.exitCode() + firstFailure(first);
      if (fault == Fault.OUTAGE) {
        Result status = world.pitstop("status");
        assertThat(status.exitCode()).as("status after the outage: " + status).isZero();
        how += "; status: " + nextLine(status);
      }
      switch (recovery) {
        case RUN_AGAIN -> {
          Result again = world.runToV2();
          how += "; run again exit " + again.exitCode() + firstFailure(again);
        }
        case HUMAN -> how += "; " + world.humanPath();
        case NONE -> {}
      }
      record(label, point.step(), point.toString(), world.verdict("2"), how);
    }
  }

  private static void dbCase(Executed statement, DbFaults.Fault fault) throws Exception {
    try (World world = new World()) {
      world.dbFaults.failAt(statement.point(), fault);
      Result result = world.runToV2();
      String where = statement.point() + " " + abbreviate(statement.sql(), 60);
      if (world.dbFaults.injectedAt() == null) {
        NOT_REACHED.add(fault.label() + " at " + where);
        return;
      }
      record(
          fault.label(),
          statement.step(),
          where,
          world.verdict("2"),
          "exit "
              + result.exitCode()
              + firstFailure(result)
              + "; raised "
              + world.dbFaults.raised().getSQLState());
    }
  }

  @Test
  void aHeldTableLockEndsInARollbackWithTheDatabaseUntouched() throws Exception {
    // A session holds an exclusive lock on orders for the whole run: the migration gives up
    // (lock_timeout, 55P03), the run rolls back.
    try (World world = new World();
        Connection holder = postgres.jdbc(world.ns, "reporting-job")) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
      }
      Result result = world.runToV2("--lock-timeout", "300ms", "--timeout", "3s");
      holder.rollback();
      record(
          "DB lock held by another session (lock_timeout 55P03)",
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
            "DB connection lost mid-migration (backend terminated), run --retries " + retries,
            "migrate",
            "pg_sleep in V2",
            world.verdict("2"),
            "exit " + result.exitCode() + firstFailure(result));
      }
    }
    assertAllowedEndStates();
  }

  @Test
  void aFailingMigrationEndsRolledBackOrStoppedNeverHalfDone() throws Exception {
    // A migration fails with an SQL error: atomic (nothing committed), with a snapshot after a
    // non-transactional step, and without a snapshot after a non-transactional step.
    List<List<String>> sqlErrorRuns =
        List.of(List.of(), List.of("--no-atomic", "--snapshot"), List.of("--no-atomic"));
    List<String> names =
        List.of(
            "SQL error in a migration, atomic",
            "SQL error in a migration after a committed step, snapshot",
            "SQL error in a migration after a committed step, no snapshot");
    List<EndState> states = new ArrayList<>();
    for (int i = 0; i < sqlErrorRuns.size(); i++) {
      try (World world = new World()) {
        List<String> args =
            new ArrayList<>(List.of("--locations", RunFixture.V4, "--image", "web=shop:2.0"));
        args.addAll(sqlErrorRuns.get(i));
        Result result = world.run(args.toArray(String[]::new));
        Verdict verdict = world.verdict("4");
        states.add(verdict.state());
        record(
            names.get(i),
            "migrate",
            "V4 division by zero",
            verdict,
            "exit " + result.exitCode() + firstFailure(result));
      }
    }
    assertAllowedEndStates();
    assertThat(states)
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

  /** The first step failure the run reported, for the case's detail. */
  private static String firstFailure(Result result) {
    return result
        .err()
        .lines()
        .filter(line -> line.contains("FAILED("))
        .findFirst()
        .map(line -> "; " + abbreviate(line.strip().replaceAll("\\s+", " "), 200))
        .orElse("");
  }

  /** The line of {@code status} that says what to run next, or its first line. */
  private static String nextLine(Result status) {
    List<String> lines = status.out().lines().map(String::strip).toList();
    return abbreviate(
        lines.stream()
            .filter(l -> l.startsWith("next: "))
            .findFirst()
            .orElse(lines.isEmpty() ? "(nothing)" : lines.get(0)),
        160);
  }

  private static String abbreviate(String text, int max) {
    String flat = text.replaceAll("\\s+", " ");
    return flat.length() > max ? flat.substring(0, max) + "…" : flat;
  }

  private static void record(String fault, String step, String where, Verdict verdict, String how) {
    ROWS.add(new Row(fault, step, where, verdict.state(), how + "; " + verdict.facts()));
  }

  private static void writeMatrix(Path file) throws IOException {
    Map<String, Map<EndState, Integer>> counts = new LinkedHashMap<>();
    List<Row> rows = new ArrayList<>(ROWS);
    rows.sort(
        java.util.Comparator.comparing(Row::fault)
            .thenComparing(row -> STEP_ORDER.indexOf(row.step())));
    for (Row row : rows) {
      counts
          .computeIfAbsent(
              row.fault() + " | `" + row.step() + "`", k -> new EnumMap<>(EndState.class))
          .merge(row.state(), 1, Integer::sum);
    }
    Map<String, Integer> perKind = new LinkedHashMap<>();
    rows.forEach(row -> perKind.merge(row.fault(), 1, Integer::sum));
    StringBuilder md = new StringBuilder();
    md.append("Mode: ")
        .append(EXHAUSTIVE ? "exhaustive" : "cover")
        .append(", ")
        .append(THREADS)
        .append(" case(s) at a time, ")
        .append(Duration.ofNanos(System.nanoTime() - started).toSeconds())
        .append(" s for the class.\n\n");
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
    md.append("| **total** | ").append(rows.size()).append(" cases");
    for (EndState state : EndState.values()) {
      md.append(" | **").append(totals.getOrDefault(state, 0)).append("**");
    }
    md.append(" |\n\n| fault | cases |\n|---|---|\n");
    perKind.forEach(
        (kind, n) -> md.append("| ").append(kind).append(" | ").append(n).append(" |\n"));
    md.append(
            "\nPoints of the clean run that a faulted run did not reach (polls it made fewer of): ")
        .append(NOT_REACHED.size())
        .append('\n');
    NOT_REACHED.forEach(n -> md.append("- ").append(n).append('\n'));
    md.append("\n<details><summary>every case</summary>\n\n")
        .append("| fault | at | end state | detail |\n|---|---|---|---|\n");
    for (Row row : rows) {
      md.append("| ")
          .append(row.fault())
          .append(" | ")
          .append(row.where().replace("|", "\\|"))
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

  private static final List<String> STEP_ORDER =
      List.of(
          "lock",
          "maintenance-on",
          "scale-down",
          "snapshot",
          "migrate",
          "verify",
          "scale-up",
          "smoke-test",
          "rollback",
          "maintenance-off",
          "unlock");
}
