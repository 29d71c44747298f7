package dev.pitstop.ledger;

import dev.pitstop.core.Json;
import dev.pitstop.core.PitstopException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The run record: who holds the lock for an app and every fact needed to undo what the run did.
 * Steps write a fact <em>before</em> the change it describes, so a run killed at any point can be
 * rolled back from the record alone.
 *
 * <p>It lives in the data of the ConfigMap {@code pitstop-<app>}, one readable key per fact, so
 * {@code kubectl get configmap pitstop-shop -o yaml} tells a human what happened.
 */
public final class Ledger {
  public static final String RUN_ID = "run-id";
  public static final String HOLDER = "holder";
  public static final String LOCKED_AT = "locked-at";
  public static final String UPDATED_AT = "updated-at";
  public static final String WORKLOADS = "workloads";
  public static final String MAINTENANCE = "maintenance";
  public static final String ROLLBACK_FAILED = "rollback-failed";
  public static final String ROLLED_BACK_AT = "rolled-back-at";

  /** Where the run's database is (the JDBC URL without a password) and as whom, for status. */
  public static final String JDBC_URL = "jdbc-url";

  public static final String DB_USER = "db-user";
  public static final String CRONJOBS = "cronjobs";
  public static final String AUTOSCALERS = "autoscalers";
  public static final String SCALED_OBJECTS = "scaled-objects";
  public static final String ARGOCD = "argocd";
  public static final String STEPS = "steps";

  private static final Set<String> STRUCTURED =
      Set.of(WORKLOADS, MAINTENANCE, CRONJOBS, AUTOSCALERS, SCALED_OBJECTS, ARGOCD, STEPS);

  private final String runId;
  private final String holder;
  private final Instant lockedAt;
  private Instant updatedAt;
  private final Map<String, WorkloadRecord> workloads = new LinkedHashMap<>();
  private final Map<String, CronJobRecord> cronJobs = new LinkedHashMap<>();
  private final Map<String, AutoscalerRecord> autoscalers = new LinkedHashMap<>();
  private final Map<String, ScaledObjectRecord> scaledObjects = new LinkedHashMap<>();
  private final Map<String, ArgoCdRecord> argoCd = new LinkedHashMap<>();
  private MaintenanceRecord maintenance;
  private final Map<String, StepRecord> steps = new LinkedHashMap<>();
  private final Map<String, String> facts = new LinkedHashMap<>();

  public Ledger(String runId, String holder, Instant lockedAt) {
    this.runId = runId;
    this.holder = holder;
    this.lockedAt = lockedAt;
    this.updatedAt = lockedAt;
  }

  public String runId() {
    return runId;
  }

  public String holder() {
    return holder;
  }

  public Instant lockedAt() {
    return lockedAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public void touch(Instant now) {
    this.updatedAt = now;
  }

  /** Recorded workloads, keyed by {@code kind/name} in lower case, in the order recorded. */
  public Map<String, WorkloadRecord> workloads() {
    return Collections.unmodifiableMap(workloads);
  }

  /** Records a workload's original state unless this run already recorded it. */
  public boolean recordWorkloadIfAbsent(WorkloadRecord record) {
    return workloads.putIfAbsent(record.key(), record) == null;
  }

  /** Suspended CronJobs, keyed by {@code cronjob/name}, in the order recorded. */
  public Map<String, CronJobRecord> cronJobs() {
    return Collections.unmodifiableMap(cronJobs);
  }

  /** Records a CronJob's original {@code suspend} unless this run already recorded it. */
  public boolean recordCronJobIfAbsent(CronJobRecord record) {
    return cronJobs.putIfAbsent(record.key(), record) == null;
  }

  /** HPAs that target scaled-down workloads, keyed by {@code hpa/name}. */
  public Map<String, AutoscalerRecord> autoscalers() {
    return Collections.unmodifiableMap(autoscalers);
  }

  public boolean recordAutoscalerIfAbsent(AutoscalerRecord record) {
    return autoscalers.putIfAbsent(record.key(), record) == null;
  }

  /** Paused KEDA ScaledObjects, keyed by {@code scaledobject/name}. */
  public Map<String, ScaledObjectRecord> scaledObjects() {
    return Collections.unmodifiableMap(scaledObjects);
  }

  public boolean recordScaledObjectIfAbsent(ScaledObjectRecord record) {
    return scaledObjects.putIfAbsent(record.key(), record) == null;
  }

  /** Argo CD Applications whose automated sync is paused, keyed by {@code application/ns/name}. */
  public Map<String, ArgoCdRecord> argoCd() {
    return Collections.unmodifiableMap(argoCd);
  }

  public boolean recordArgoCdIfAbsent(ArgoCdRecord record) {
    return argoCd.putIfAbsent(record.key(), record) == null;
  }

  /** True when the run paused or suspended any controller that could bring the app back up. */
  public boolean holdsPauses() {
    return !cronJobs.isEmpty()
        || autoscalers.values().stream().anyMatch(AutoscalerRecord::raised)
        || !scaledObjects.isEmpty()
        || !argoCd.isEmpty();
  }

  public Optional<MaintenanceRecord> maintenance() {
    return Optional.ofNullable(maintenance);
  }

  public void setMaintenance(MaintenanceRecord record) {
    this.maintenance = record;
  }

  /** How far each step of the run got, keyed by subcommand, in the order they first started. */
  public Map<String, StepRecord> steps() {
    return Collections.unmodifiableMap(steps);
  }

  public Optional<StepRecord> step(String name) {
    return Optional.ofNullable(steps.get(name));
  }

  /**
   * Records that an attempt of {@code step} starts now (write-ahead, before it changes anything).
   */
  public StepRecord stepStarted(String step, Instant now) {
    StepRecord started = StepRecord.start(steps.get(step), step, now);
    steps.put(step, started);
    return started;
  }

  /**
   * Puts back what the record held for {@code step} before an attempt that was refused (bad input,
   * locked) noted its start: {@code previous} null removes it.
   */
  public void restoreStep(String step, StepRecord previous, Instant previousUpdatedAt) {
    if (previous == null) {
      steps.remove(step);
    } else {
      steps.put(step, previous);
    }
    updatedAt = previousUpdatedAt;
  }

  /**
   * Records the end of the attempt of {@code step} that started at {@code attemptStart}; a step
   * with no start on record (written by a version that did not record steps) gets one.
   */
  public void stepEnded(
      String step,
      Instant attemptStart,
      Instant now,
      boolean succeeded,
      int exitCode,
      String message) {
    StepRecord running = steps.get(step);
    if (running == null || running.state() != StepRecord.State.RUNNING) {
      running = StepRecord.start(running, step, attemptStart);
    }
    steps.put(step, running.end(attemptStart, now, succeeded, exitCode, message));
  }

  /** Other undo facts: {@code snapshot}, {@code schema-version-before}, {@code rollback-failed}. */
  public Optional<String> fact(String name) {
    return Optional.ofNullable(facts.get(name));
  }

  public void putFact(String name, String value) {
    if (value == null) {
      facts.remove(name);
    } else {
      facts.put(name, value);
    }
  }

  public Map<String, String> facts() {
    return Collections.unmodifiableMap(facts);
  }

  /** The facts that say where the run's database is, to note beside its first undo fact. */
  public static Map<String, String> databaseFacts(String jdbcUrl, String user) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(JDBC_URL, jdbcUrl);
    facts.put(DB_USER, user);
    return facts;
  }

  /** The ConfigMap data form. */
  public Map<String, String> toData() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(RUN_ID, runId);
    data.put(HOLDER, holder);
    data.put(LOCKED_AT, lockedAt.toString());
    data.put(UPDATED_AT, updatedAt.toString());
    putList(data, WORKLOADS, workloads, WorkloadRecord::toJson);
    if (maintenance != null) {
      data.put(MAINTENANCE, Json.write(maintenance.toJson()));
    }
    putList(data, CRONJOBS, cronJobs, CronJobRecord::toJson);
    putList(data, AUTOSCALERS, autoscalers, AutoscalerRecord::toJson);
    putList(data, SCALED_OBJECTS, scaledObjects, ScaledObjectRecord::toJson);
    putList(data, ARGOCD, argoCd, ArgoCdRecord::toJson);
    putList(data, STEPS, steps, StepRecord::toJson);
    data.putAll(facts);
    return data;
  }

  /** Reads the ConfigMap data form; a record a human mangled is reported, not guessed at. */
  public static Ledger fromData(String configMapName, Map<String, String> data) {
    Map<String, String> values = data == null ? Map.of() : data;
    String runId = values.get(RUN_ID);
    if (runId == null || runId.isBlank()) {
      throw PitstopException.failed(
          "configmap/" + configMapName + " has no run-id: it is not a Pitstop run record");
    }
    try {
      Ledger ledger =
          new Ledger(
              runId, values.getOrDefault(HOLDER, "unknown"), parseInstant(values.get(LOCKED_AT)));
      ledger.updatedAt = parseInstant(values.getOrDefault(UPDATED_AT, values.get(LOCKED_AT)));
      readList(values, WORKLOADS, WorkloadRecord::fromJson).forEach(ledger::recordWorkloadIfAbsent);
      if (values.containsKey(MAINTENANCE)) {
        ledger.maintenance =
            entry(
                MAINTENANCE,
                () ->
                    MaintenanceRecord.fromJson(
                        RecordFields.of(Json.read(values.get(MAINTENANCE)))));
      }
      readList(values, CRONJOBS, CronJobRecord::fromJson).forEach(ledger::recordCronJobIfAbsent);
      readList(values, AUTOSCALERS, AutoscalerRecord::fromJson)
          .forEach(ledger::recordAutoscalerIfAbsent);
      readList(values, SCALED_OBJECTS, ScaledObjectRecord::fromJson)
          .forEach(ledger::recordScaledObjectIfAbsent);
      readList(values, ARGOCD, ArgoCdRecord::fromJson).forEach(ledger::recordArgoCdIfAbsent);
      readList(values, STEPS, StepRecord::fromJson).forEach(s -> ledger.steps.put(s.step(), s));
      values.forEach(
          (key, value) -> {
            if (!STRUCTURED.contains(key)
                && !Set.of(RUN_ID, HOLDER, LOCKED_AT, UPDATED_AT).contains(key)) {
              ledger.facts.put(key, value);
            }
          });
      return ledger;
    } catch (RuntimeException e) {
      throw PitstopException.failed(
          "configmap/"
              + configMapName
              + " is not a readable Pitstop run record ("
              + (e instanceof IllegalArgumentException
                  ? e.getMessage()
                  : e.getClass().getSimpleName())
              + "); inspect it with kubectl before going on");
    }
  }

  private static <R> void putList(
      Map<String, String> data,
      String key,
      Map<String, R> records,
      Function<R, Map<String, Object>> toJson) {
    if (!records.isEmpty()) {
      data.put(key, Json.write(records.values().stream().map(toJson).toList()));
    }
  }

  private static <R> List<R> readList(
      Map<String, String> values, String key, Function<RecordFields, R> fromJson) {
    return values.containsKey(key)
        ? entry(
            key,
            () -> RecordFields.list(Json.read(values.get(key))).stream().map(fromJson).toList())
        : List.of();
  }

  /** Reads one key of the record; what is wrong with it is reported with the key's name. */
  private static <T> T entry(String key, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static Instant parseInstant(String text) {
    return text == null ? Instant.EPOCH : Instant.parse(text);
  }
}
