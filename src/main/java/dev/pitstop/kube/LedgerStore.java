package dev.pitstop.kube;

import dev.pitstop.core.PitstopException;
import dev.pitstop.ledger.Ledger;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Keeps the run record in the ConfigMap {@code pitstop-<app>}. Creating it takes the lock; every
 * write goes through the resourceVersion it was read at, so two runs can never both think they own
 * the app.
 */
public final class LedgerStore {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String APP_LABEL = "pitstop.dev/app";

  private final Cluster cluster;
  private final String app;
  private final Clock clock;

  public LedgerStore(Cluster cluster, String app, Clock clock) {
    this.cluster = cluster;
    this.app = app;
    this.clock = clock;
  }

  public String name() {
    return "pitstop-" + app;
  }

  public String app() {
    return app;
  }

  private Resource<ConfigMap> resource() {
    return cluster.client().configMaps().inNamespace(cluster.namespace()).withName(name());
  }

  public Optional<Ledger> read() {
    return readConfigMap().map(cm -> Ledger.fromData(name(), cm.getData()));
  }

  public Optional<ConfigMap> readConfigMap() {
    return Optional.ofNullable(cluster.call("read configmap/" + name(), () -> resource().get()));
  }

  /** The outcome of {@link #acquire}. */
  public record Acquired(Ledger ledger, boolean created, ConfigMap configMap) {}

  /**
   * Takes the lock for {@code runId}: creates the record, or finds that this run already holds it.
   * A record it creates already holds the lock step, started at {@code attemptStart}, as done.
   *
   * @throws PitstopException exit 3 when another run holds it
   */
  public Acquired acquire(String runId, String holder, String lockStep, Instant attemptStart) {
    return cluster.call(
        "take the lock configmap/" + name(),
        () -> {
          Optional<ConfigMap> existing = Optional.ofNullable(resource().get());
          if (existing.isPresent()) {
            Ledger ledger = Ledger.fromData(name(), existing.get().getData());
            requireOwner(ledger, runId);
            return new Acquired(ledger, false, existing.get());
          }
          Instant now = clock.instant();
          Ledger fresh = new Ledger(runId, holder, now);
          fresh.stepEnded(lockStep, attemptStart, now, true, 0, "locked");
          ConfigMap configMap =
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(name())
                  .withNamespace(cluster.namespace())
                  .addToLabels(MANAGED_BY, "pitstop")
                  .addToLabels(APP_LABEL, app)
                  .endMetadata()
                  .withData(fresh.toData())
                  .build();
          try {
            ConfigMap created = resource().create(configMap);
            return new Acquired(fresh, true, created);
          } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
              // Another process created it between our read and our create: read it again.
              throw PitstopException.transientFailure(
                  "configmap/" + name() + " appeared meanwhile", e);
            }
            throw e;
          }
        });
  }

  /**
   * Applies {@code change} to the record this run holds and writes it back atomically.
   *
   * @throws PitstopException exit 3 when another run holds the lock; exit 2 when no run holds it
   */
  public Ledger update(String runId, Consumer<Ledger> change) {
    return update(runId, change, true);
  }

  /**
   * As {@link #update}, giving the record's ConfigMap as written: what an Event about the record
   * names, without reading it again.
   */
  public ConfigMap updateConfigMap(String runId, Consumer<Ledger> change) {
    return write(runId, change, true);
  }

  /** The run record a ConfigMap of this store holds. */
  public Ledger ledgerOf(ConfigMap record) {
    return Ledger.fromData(name(), record.getData());
  }

  /**
   * Takes back a note this invocation wrote ({@code change} restores what was there), leaving
   * {@code updated-at} as {@code change} sets it: a refused step leaves the record as it found it.
   */
  public Ledger revert(String runId, Consumer<Ledger> change) {
    return update(runId, change, false);
  }

  private Ledger update(String runId, Consumer<Ledger> change, boolean touch) {
    return ledgerOf(write(runId, change, touch));
  }

  private ConfigMap write(String runId, Consumer<Ledger> change, boolean touch) {
    // one read serves both the lock check and the write's resourceVersion
    return cluster.update(
        "update the run record configmap/" + name(),
        resource(),
        current -> {
          Ledger ledger = Ledger.fromData(name(), current.getData());
          requireOwner(ledger, runId);
          change.accept(ledger);
          if (touch) {
            ledger.touch(clock.instant());
          }
          current.setData(ledger.toData());
          return current;
        },
        () -> notLocked(runId));
  }

  /**
   * A sink for undo facts of this run. The first value of a fact wins, so a retried step never
   * overwrites what the record held before its first attempt.
   */
  public java.util.function.BiConsumer<String, String> undoLog(String runId) {
    return undoLog(runId, java.util.Map.of());
  }

  /**
   * The same, noting {@code alongside} (first value wins too) in the same write: facts a human
   * needs to act on the undo facts, such as where the database is.
   */
  public java.util.function.BiConsumer<String, String> undoLog(
      String runId, java.util.Map<String, String> alongside) {
    return (fact, value) ->
        update(
            runId,
            ledger -> {
              alongside.forEach(
                  (name, text) -> {
                    if (text != null && ledger.fact(name).isEmpty()) {
                      ledger.putFact(name, text);
                    }
                  });
              if (ledger.fact(fact).isEmpty()) {
                ledger.putFact(fact, value);
              }
            });
  }

  /**
   * The record for a step that changes things, or for its dry run. A dry run before the lock is
   * taken previews the step against an empty record of this run (and says the real step needs the
   * lock); another run's lock still refuses it, as it would refuse the real step.
   */
  public Ledger heldOrPreview(String runId, boolean dryRun, dev.pitstop.core.Progress progress) {
    if (!dryRun) {
      return requireHeldBy(runId);
    }
    Optional<Ledger> found = read();
    if (found.isEmpty()) {
      progress.warn(
          "dry run without the lock: the real step needs `pitstop lock --app "
              + app
              + " --run-id "
              + runId
              + "` first");
      return new Ledger(runId, "dry run", clock.instant());
    }
    requireOwner(found.get(), runId);
    return found.get();
  }

  /** The record for a mutating step: it must exist and belong to this run. */
  public Ledger requireHeldBy(String runId) {
    Ledger ledger = read().orElseThrow(() -> notLocked(runId));
    requireOwner(ledger, runId);
    return ledger;
  }

  private PitstopException notLocked(String runId) {
    return PitstopException.usage(
        "app "
            + app
            + " is not locked (no configmap/"
            + name()
            + " in namespace "
            + cluster.namespace()
            + "): take the lock first with `pitstop lock --app "
            + app
            + " --run-id "
            + runId
            + "`");
  }

  /** Deletes the record. The caller has checked ownership (or the user forced it). */
  public void delete() {
    cluster.call("delete configmap/" + name(), () -> resource().delete());
  }

  public void requireOwner(Ledger ledger, String runId) {
    if (!ledger.runId().equals(runId)) {
      Duration age = Duration.between(ledger.lockedAt(), clock.instant());
      throw PitstopException.locked(
          "app "
              + app
              + " is locked by run "
              + ledger.runId()
              + " (holder "
              + ledger.holder()
              + ") since "
              + ledger.lockedAt()
              + " ("
              + dev.pitstop.core.Durations.format(age)
              + " ago); wait for it, or see `pitstop status --app "
              + app
              + "`");
    }
  }
}
