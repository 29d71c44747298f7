package dev.pitstop.step;

import dev.pitstop.core.Json;
import dev.pitstop.kube.ArgoCd;
import dev.pitstop.kube.ArgoCd.Tracking;
import dev.pitstop.kube.Autoscalers;
import dev.pitstop.kube.CronJobs;
import dev.pitstop.kube.Rollouts;
import dev.pitstop.kube.Workload;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.ArgoCdRecord;
import dev.pitstop.ledger.AutoscalerRecord;
import dev.pitstop.ledger.CronJobRecord;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.ScaledObjectRecord;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Keeps a scaled-down app down for exactly as long as the run needs it: CronJobs are suspended,
 * autoscalers that could scale a workload up from zero are paused, and with {@code --pause-argocd}
 * Argo CD's automated sync is paused so self-heal cannot put the replicas back. Each original is in
 * the run record before its change is made; resuming puts back exactly what was recorded, and
 * leaves alone anything a human changed meanwhile.
 */
public final class KeepDown {
  static final String HELD_PAUSED_REPLICAS = "0";

  /**
   * How scale-down treats what it finds.
   *
   * @param deleteRunningJobs delete the CronJobs' running Jobs instead of waiting for them
   * @param pauseArgoCd pause the automated sync of the Argo CD Applications that manage the
   *     workloads; otherwise they are only warned about
   * @param argoCdNamespace where Applications live when the tracking id does not say
   */
  public record Options(boolean deleteRunningJobs, boolean pauseArgoCd, String argoCdNamespace) {
    public static Options defaults() {
      return new Options(false, false, ArgoCd.DEFAULT_NAMESPACE);
    }
  }

  /** What scale-down found: the records to write ahead, the changes they stand for, and notes. */
  public static final class Plan {
    private final List<CronJobRecord> cronJobs = new ArrayList<>();
    private final List<AutoscalerRecord> autoscalers = new ArrayList<>();
    private final List<ScaledObjectRecord> scaledObjects = new ArrayList<>();
    private final List<ArgoCdRecord> argoCd = new ArrayList<>();
    private final List<String> changes = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** Writes the originals into the record; what this run recorded before wins. */
    public void recordInto(Ledger ledger) {
      cronJobs.forEach(ledger::recordCronJobIfAbsent);
      autoscalers.forEach(ledger::recordAutoscalerIfAbsent);
      scaledObjects.forEach(ledger::recordScaledObjectIfAbsent);
      argoCd.forEach(ledger::recordArgoCdIfAbsent);
    }

    public boolean recordsAnything() {
      return !(cronJobs.isEmpty()
          && autoscalers.isEmpty()
          && scaledObjects.isEmpty()
          && argoCd.isEmpty());
    }

    /** The changes the pauses make, one line each, e.g. for a dry run. */
    public List<String> changes() {
      return changes;
    }

    /** Facts worth a line that need no change, e.g. an HPA Kubernetes already stops at 0. */
    public List<String> notes() {
      return notes;
    }

    public List<String> warnings() {
      return warnings;
    }

    /** The HPAs found; those {@link AutoscalerRecord#raised() raised} are held at 1. */
    public List<AutoscalerRecord> autoscalers() {
      return java.util.Collections.unmodifiableList(autoscalers);
    }

    /** The KEDA ScaledObjects that would be paused. */
    public List<ScaledObjectRecord> scaledObjects() {
      return java.util.Collections.unmodifiableList(scaledObjects);
    }

    /** The Argo CD Applications whose automated sync would be paused. */
    public List<ArgoCdRecord> argoCd() {
      return java.util.Collections.unmodifiableList(argoCd);
    }
  }

  private final StepContext context;
  private final Autoscalers autoscalers;
  private final CronJobs cronJobs;
  private final ArgoCd argoCd;

  public KeepDown(StepContext context) {
    this.context = context;
    this.autoscalers = new Autoscalers(context.cluster());
    this.cronJobs = new CronJobs(context.cluster());
    this.argoCd = new ArgoCd(context.cluster());
  }

  /**
   * Finds what could bring the workloads back up. Reads only. What this run recorded before (a
   * retry) is what counts, not the paused state it finds now.
   */
  public Plan discover(
      Ledger recorded,
      List<Workload> workloads,
      List<GenericKubernetesResource> suspended,
      Options options) {
    Plan plan = new Plan();
    discoverCronJobs(plan, suspended);
    List<WorkloadRef> refs = workloads.stream().map(Workload::ref).toList();
    discoverAutoscalers(plan, recorded, refs);
    discoverScaledObjects(plan, recorded, refs);
    List<HasMetadata> objects = new ArrayList<>();
    workloads.forEach(w -> objects.add(w.object()));
    objects.addAll(suspended);
    discoverArgoCd(plan, recorded, objects, options);
    return plan;
  }

  /**
   * The CronJobs to suspend. Like the other {@code discover…} parts, reads only and adds to {@code
   * plan}; {@code pitstop plan} calls the parts one by one, so a part it may not read is reported
   * on its own while the others still count.
   */
  public void discoverCronJobs(Plan plan, List<GenericKubernetesResource> suspended) {
    for (GenericKubernetesResource cronJob : suspended) {
      Boolean suspend = CronJobs.suspend(cronJob);
      plan.cronJobs.add(new CronJobRecord(cronJob.getMetadata().getName(), suspend));
      if (!Boolean.TRUE.equals(suspend)) {
        plan.changes.add("suspend cronjob/" + cronJob.getMetadata().getName());
      }
    }
  }

  /** The HorizontalPodAutoscalers that target the workloads. */
  public void discoverAutoscalers(Plan plan, Ledger recorded, List<WorkloadRef> refs) {
    if (refs.isEmpty()) {
      return;
    }
    for (GenericKubernetesResource hpa : autoscalers.hpasTargeting(refs)) {
      AutoscalerRecord before = recorded.autoscalers().get("hpa/" + hpa.getMetadata().getName());
      if (before == null) {
        discoverHpa(plan, hpa);
      } else if (before.raised()
          && Autoscalers.minReplicas(hpa) != null
          && Autoscalers.minReplicas(hpa) < AutoscalerRecord.HELD_MIN_REPLICAS) {
        plan.changes.add("hold hpa/" + before.name() + " at minReplicas 1 again");
      }
    }
  }

  /** The KEDA ScaledObjects that target the workloads. */
  public void discoverScaledObjects(Plan plan, Ledger recorded, List<WorkloadRef> refs) {
    if (refs.isEmpty()) {
      return;
    }
    for (GenericKubernetesResource scaledObject : autoscalers.scaledObjectsTargeting(refs)) {
      String name = scaledObject.getMetadata().getName();
      String target = Autoscalers.scaledObjectTarget(scaledObject).orElseThrow().toString();
      String before = Autoscalers.annotation(scaledObject, Autoscalers.PAUSED_REPLICAS);
      plan.scaledObjects.add(new ScaledObjectRecord(name, target, before));
      if (recorded.scaledObjects().containsKey("scaledobject/" + name)) {
        before = recorded.scaledObjects().get("scaledobject/" + name).pausedReplicas();
      }
      if (!HELD_PAUSED_REPLICAS.equals(
          Autoscalers.annotation(scaledObject, Autoscalers.PAUSED_REPLICAS))) {
        plan.changes.add(
            "pause KEDA scaledobject/"
                + name
                + " (target "
                + target
                + ") with "
                + Autoscalers.PAUSED_REPLICAS
                + ": \"0\""
                + (before == null ? "" : " (was \"" + before + "\", put back afterwards)"));
      }
    }
  }

  private void discoverHpa(Plan plan, GenericKubernetesResource hpa) {
    String name = hpa.getMetadata().getName();
    String target = Autoscalers.hpaTarget(hpa).orElseThrow().toString();
    Integer min = Autoscalers.minReplicas(hpa);
    boolean scalesFromZero = min != null && min == 0;
    plan.autoscalers.add(new AutoscalerRecord(name, target, min, scalesFromZero));
    if (scalesFromZero) {
      plan.changes.add(
          "hold hpa/"
              + name
              + " at minReplicas "
              + AutoscalerRecord.HELD_MIN_REPLICAS
              + " (it has minReplicas 0 and could scale "
              + target
              + " up from zero; Kubernetes stops an HPA whose target is at 0 only when"
              + " minReplicas is not 0)");
    } else {
      plan.notes.add(
          "hpa/"
              + name
              + " (minReplicas "
              + (min == null ? 1 : min)
              + ") targets "
              + target
              + ": Kubernetes pauses it while "
              + target
              + " is at 0 replicas, and it resumes on scale-up; nothing to change");
    }
  }

  /**
   * The Argo CD Applications that manage the objects: with {@code options.pauseArgoCd()} each
   * Application is read and its pause planned, otherwise each is warned about.
   */
  public void discoverArgoCd(
      Plan plan, Ledger recorded, List<HasMetadata> objects, Options options) {
    Map<Tracking, List<String>> managed = new LinkedHashMap<>();
    for (HasMetadata object : objects) {
      ArgoCd.trackingOf(object, options.argoCdNamespace())
          .ifPresent(t -> managed.computeIfAbsent(t, k -> new ArrayList<>()).add(key(object)));
    }
    managed.forEach(
        (tracking, keys) -> {
          String which =
              String.join(", ", keys)
                  + (tracking.certain()
                      ? " are managed by Argo CD Application " + tracking.display()
                      : " carry the Argo CD tracking label "
                          + ArgoCd.INSTANCE_LABEL
                          + " (Application "
                          + tracking.display()
                          + ", if Argo CD set it)");
          if (!options.pauseArgoCd()) {
            plan.warnings.add(
                which
                    + ": with automated sync and self-heal, Argo CD puts the replicas back during"
                    + " the run; pass --pause-argocd to pause its automated sync until scale-up"
                    + " or rollback (needs the opt-in Argo CD Role), or switch self-heal off"
                    + " yourself");
            return;
          }
          if (recorded
              .argoCd()
              .containsKey("application/" + tracking.namespace() + "/" + tracking.name())) {
            return; // paused by an earlier attempt of this run: its record stands
          }
          Optional<GenericKubernetesResource> application = argoCd.application(tracking);
          if (application.isEmpty()) {
            plan.notes.add(
                which
                    + ", but no Application "
                    + tracking.display()
                    + " exists (or Argo CD is not installed): nothing to pause");
            return;
          }
          if (!ArgoCd.automatedSyncOn(application.get())) {
            plan.notes.add(which + "; its automated sync is off: nothing to pause");
            return;
          }
          plan.argoCd.add(
              new ArgoCdRecord(
                  tracking.namespace(),
                  tracking.name(),
                  Json.toNode(ArgoCd.syncPolicy(application.get())),
                  keys));
          plan.changes.add(
              "pause automated sync of Argo CD Application "
                  + tracking.display()
                  + " (manages "
                  + String.join(", ", keys)
                  + ")");
          ArgoCd.applicationSetOf(application.get())
              .ifPresent(
                  set ->
                      plan.warnings.add(
                          "Argo CD Application "
                              + tracking.display()
                              + " is generated by ApplicationSet "
                              + set
                              + ", which may put its automated sync back: pause the"
                              + " ApplicationSet's sync policy for the run too"));
          ArgoCd.trackingOf(application.get(), options.argoCdNamespace())
              .ifPresent(
                  parent ->
                      plan.warnings.add(
                          "Argo CD Application "
                              + tracking.display()
                              + " is itself managed by Application "
                              + parent.display()
                              + ": if that one self-heals, it puts the automated sync back;"
                              + " switch its self-heal off for the run"));
        });
  }

  /**
   * Makes every pause the record holds, in the order that keeps each controller from undoing the
   * next: Argo CD first (it could revert the others), then the autoscalers, then the CronJobs.
   * Anything already paused is left as it is, so a retry changes nothing twice.
   */
  public void pause(Ledger ledger) {
    for (ArgoCdRecord record : ledger.argoCd().values()) {
      Change<GenericKubernetesResource> paused =
          update(
              "pause automated sync of application " + display(record),
              argoCd.applications(record.namespace()),
              record.name(),
              app -> {
                Map<String, Object> policy = ArgoCd.syncPolicy(app);
                if (policy == null || !policy.containsKey("automated")) {
                  return null;
                }
                policy.remove("automated");
                return app;
              });
      if (paused.object().isEmpty()) {
        context
            .progress()
            .warn("Argo CD Application " + display(record) + " no longer exists: nothing to pause");
      } else if (paused.written()) {
        context.progress().info("paused automated sync of Argo CD Application " + display(record));
      }
    }
    for (ScaledObjectRecord record : ledger.scaledObjects().values()) {
      changed(
          update(
              "pause scaledobject/" + record.name(),
              autoscalers.scaledObjects(),
              record.name(),
              so ->
                  HELD_PAUSED_REPLICAS.equals(
                          Autoscalers.annotation(so, Autoscalers.PAUSED_REPLICAS))
                      ? null
                      : annotate(so, Autoscalers.PAUSED_REPLICAS, HELD_PAUSED_REPLICAS)),
          "scaledobject/" + record.name(),
          "AutoscalingPaused",
          "paused with " + Autoscalers.PAUSED_REPLICAS + ": \"0\" while the app is down");
    }
    for (AutoscalerRecord record : ledger.autoscalers().values()) {
      if (!record.raised()) {
        continue;
      }
      changed(
          update(
              "hold hpa/" + record.name(),
              autoscalers.hpas(),
              record.name(),
              hpa -> {
                Integer min = Autoscalers.minReplicas(hpa);
                if (min == null || min >= AutoscalerRecord.HELD_MIN_REPLICAS) {
                  return null;
                }
                Autoscalers.setMinReplicas(hpa, AutoscalerRecord.HELD_MIN_REPLICAS);
                return annotate(hpa, ScaleDownStep.RUN_ANNOTATION, context.runId());
              }),
          "hpa/" + record.name(),
          "AutoscalingPaused",
          "minReplicas held at 1 (was 0) so it cannot scale " + record.target() + " from zero");
    }
    for (CronJobRecord record : ledger.cronJobs().values()) {
      changed(
          update(
              "suspend cronjob/" + record.name(),
              cronJobs.cronJobs(),
              record.name(),
              cj -> {
                if (Boolean.TRUE.equals(CronJobs.suspend(cj))) {
                  return null;
                }
                CronJobs.setSuspend(cj, true);
                return annotate(cj, ScaleDownStep.RUN_ANNOTATION, context.runId());
              }),
          "cronjob/" + record.name(),
          "Suspended",
          "suspended (spec.suspend was " + record.suspend() + ")");
    }
  }

  /**
   * Lets the running Jobs of the suspended CronJobs finish, or deletes them; either way returns
   * when none is left running.
   */
  public void settleJobs(List<GenericKubernetesResource> suspended, boolean deleteRunning) {
    if (suspended.isEmpty()) {
      return;
    }
    List<GenericKubernetesResource> running = cronJobs.runningJobs(suspended);
    if (!running.isEmpty()) {
      List<String> names = running.stream().map(j -> "job/" + j.getMetadata().getName()).toList();
      if (deleteRunning) {
        cronJobs.delete(running);
        context.progress().info("deleted running " + String.join(", ", names));
      } else {
        context.progress().info("waiting for running " + String.join(", ", names) + " to finish");
      }
    }
    new Rollouts(context.cluster()).awaitJobsDone(suspended);
  }

  /** Puts back the autoscalers of the workloads in scope, as recorded. */
  public List<String> resumeAutoscalers(Ledger ledger, Predicate<String> inScope) {
    List<String> resumed = new ArrayList<>();
    for (ScaledObjectRecord record : ledger.scaledObjects().values()) {
      if (!inScope.test(record.target())) {
        continue;
      }
      String what = "scaledobject/" + record.name();
      restore(
          what,
          update(
              "resume " + what,
              autoscalers.scaledObjects(),
              record.name(),
              so -> {
                String now = Autoscalers.annotation(so, Autoscalers.PAUSED_REPLICAS);
                if (Objects.equals(now, record.pausedReplicas())) {
                  return null;
                }
                if (!HELD_PAUSED_REPLICAS.equals(now)) {
                  leftAlone(what, Autoscalers.PAUSED_REPLICAS + " is now " + quoted(now));
                  return null;
                }
                return annotate(so, Autoscalers.PAUSED_REPLICAS, record.pausedReplicas());
              }),
          record.pausedReplicas() == null
              ? Autoscalers.PAUSED_REPLICAS + " removed"
              : Autoscalers.PAUSED_REPLICAS + " back to \"" + record.pausedReplicas() + "\"",
          resumed);
    }
    for (AutoscalerRecord record : ledger.autoscalers().values()) {
      if (!record.raised() || !inScope.test(record.target())) {
        continue;
      }
      String what = "hpa/" + record.name();
      restore(
          what,
          update(
              "resume " + what,
              autoscalers.hpas(),
              record.name(),
              hpa -> {
                Integer now = Autoscalers.minReplicas(hpa);
                if (Objects.equals(now, record.minReplicas())) {
                  return null;
                }
                if (!Objects.equals(now, AutoscalerRecord.HELD_MIN_REPLICAS)) {
                  leftAlone(what, "minReplicas is now " + now);
                  return null;
                }
                Autoscalers.setMinReplicas(hpa, record.minReplicas());
                return annotate(hpa, ScaleDownStep.RUN_ANNOTATION, null);
              }),
          "minReplicas back to " + record.minReplicas(),
          resumed);
    }
    return resumed;
  }

  /** Puts back the suspend flag of the CronJobs in scope, as recorded. */
  public List<String> resumeCronJobs(Ledger ledger, Predicate<String> inScope) {
    List<String> resumed = new ArrayList<>();
    for (CronJobRecord record : ledger.cronJobs().values()) {
      if (!inScope.test(record.key())) {
        continue;
      }
      restore(
          record.key(),
          update(
              "resume " + record.key(),
              cronJobs.cronJobs(),
              record.name(),
              cj -> {
                Boolean now = CronJobs.suspend(cj);
                if (Objects.equals(now, record.suspend())) {
                  return Autoscalers.annotation(cj, ScaleDownStep.RUN_ANNOTATION) == null
                      ? null
                      : annotate(cj, ScaleDownStep.RUN_ANNOTATION, null);
                }
                if (!Boolean.TRUE.equals(now)) {
                  leftAlone(record.key(), "spec.suspend is now " + now);
                  return null;
                }
                CronJobs.setSuspend(cj, record.suspend());
                return annotate(cj, ScaleDownStep.RUN_ANNOTATION, null);
              }),
          "spec.suspend back to " + record.suspend(),
          resumed);
    }
    return resumed;
  }

  /** Puts back the automated sync of the Argo CD Applications whose objects are all in scope. */
  public List<String> resumeArgoCd(Ledger ledger, Predicate<String> inScope) {
    List<String> resumed = new ArrayList<>();
    for (ArgoCdRecord record : ledger.argoCd().values()) {
      if (!record.objects().stream().allMatch(inScope)) {
        continue;
      }
      String what = "application " + display(record);
      Change<GenericKubernetesResource> app =
          update(
              "resume automated sync of " + what,
              argoCd.applications(record.namespace()),
              record.name(),
              current -> {
                Map<String, Object> policy = syncPolicyOf(current);
                Object now = policy.get("automated");
                if (now != null) {
                  if (!Json.toNode(now).equals(record.automated())) {
                    leftAlone(what, "its automated sync was changed to " + now);
                  }
                  return null;
                }
                // as the plain maps the rest of the Application is read as
                policy.put("automated", Json.read(Json.write(record.automated())));
                return current;
              });
      if (app.object().isEmpty()) {
        context.progress().warn("Argo CD " + what + " no longer exists: nothing to resume");
      } else {
        if (app.written()) {
          context.progress().info("resumed automated sync of Argo CD " + what);
        }
        resumed.add("application/" + record.namespace() + "/" + record.name());
      }
    }
    return resumed;
  }

  /** Every pause back, in reverse order of making them; what rollback and scale-up end with. */
  public List<String> resumeAll(Ledger ledger) {
    List<String> resumed = new ArrayList<>(resumeAutoscalers(ledger, k -> true));
    resumed.addAll(resumeCronJobs(ledger, k -> true));
    resumed.addAll(resumeArgoCd(ledger, k -> true));
    return resumed;
  }

  /** For {@code status}: one line per recorded pause with what the object holds now. */
  public List<Map<String, Object>> describe(Ledger ledger, List<String> lines) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (CronJobRecord record : ledger.cronJobs().values()) {
      Optional<GenericKubernetesResource> now = context.cluster().findCronJob(record.name());
      String current = now.map(c -> String.valueOf(CronJobs.suspend(c))).orElse("MISSING");
      lines.add(
          "  " + record.key() + ": suspend recorded " + record.suspend() + ", now " + current);
      rows.add(row(record.key(), "suspend", record.suspend(), current));
    }
    for (AutoscalerRecord record : ledger.autoscalers().values()) {
      Optional<GenericKubernetesResource> now =
          Optional.ofNullable(
              context
                  .cluster()
                  .call(
                      "read hpa/" + record.name(),
                      () -> autoscalers.hpas().withName(record.name()).get()));
      String current = now.map(h -> String.valueOf(Autoscalers.minReplicas(h))).orElse("MISSING");
      lines.add(
          "  "
              + record.key()
              + " ("
              + record.target()
              + "): "
              + (record.raised()
                  ? "minReplicas recorded " + record.minReplicas() + ", now " + current
                  : "minReplicas "
                      + current
                      + ", not changed: Kubernetes pauses it while its target is at 0"));
      rows.add(row(record.key(), "min-replicas", record.minReplicas(), current));
    }
    for (ScaledObjectRecord record : ledger.scaledObjects().values()) {
      Optional<GenericKubernetesResource> now =
          Optional.ofNullable(
              context
                  .cluster()
                  .call(
                      "read scaledobject/" + record.name(),
                      () -> autoscalers.scaledObjects().withName(record.name()).get()));
      String current =
          now.map(s -> quoted(Autoscalers.annotation(s, Autoscalers.PAUSED_REPLICAS)))
              .orElse("MISSING");
      lines.add(
          "  "
              + record.key()
              + " ("
              + record.target()
              + "): paused-replicas recorded "
              + quoted(record.pausedReplicas())
              + ", now "
              + current);
      rows.add(row(record.key(), "paused-replicas", record.pausedReplicas(), current));
    }
    for (ArgoCdRecord record : ledger.argoCd().values()) {
      Optional<GenericKubernetesResource> now =
          argoCd.application(
              new Tracking(record.namespace(), record.name(), ArgoCd.TRACKING_ANNOTATION));
      String current = now.map(a -> ArgoCd.automatedSyncOn(a) ? "on" : "paused").orElse("MISSING");
      lines.add(
          "  "
              + record.key()
              + ": automated sync recorded "
              + record.automated()
              + ", now "
              + current);
      rows.add(row(record.key(), "automated", record.automated(), current));
    }
    return rows;
  }

  private static Map<String, Object> row(
      String object, String field, Object recorded, String current) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("object", object);
    row.put("field", field);
    row.put("recorded", recorded);
    row.put("current", current);
    return row;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> syncPolicyOf(GenericKubernetesResource application) {
    Map<String, Object> spec =
        (Map<String, Object>)
            application
                .getAdditionalProperties()
                .computeIfAbsent("spec", k -> new LinkedHashMap<>());
    return (Map<String, Object>) spec.computeIfAbsent("syncPolicy", k -> new LinkedHashMap<>());
  }

  /** The object after an update, and whether anything had to be written. */
  private record Change<T>(Optional<T> object, boolean written) {}

  private <T extends HasMetadata> Change<T> update(
      String what,
      NonNamespaceOperation<T, ?, ? extends Resource<T>> objects,
      String name,
      UnaryOperator<T> change) {
    boolean[] written = {false};
    Optional<T> object =
        context
            .cluster()
            .updateIfNeeded(
                what,
                objects,
                name,
                current -> {
                  T changed = change.apply(current);
                  written[0] = changed != null;
                  return changed;
                });
    return new Change<>(object, object.isPresent() && written[0]);
  }

  private void changed(
      Change<? extends HasMetadata> change, String what, String reason, String message) {
    if (change.object().isEmpty()) {
      context.progress().warn(what + " no longer exists: nothing to pause");
    } else if (change.written()) {
      context.progress().info(what + ": " + message);
      context.events().changed(change.object().get(), reason, message);
    }
  }

  private void restore(
      String what, Change<? extends HasMetadata> change, String message, List<String> done) {
    if (change.object().isEmpty()) {
      context.progress().warn(what + " no longer exists: nothing to resume");
      return;
    }
    if (change.written()) {
      context.progress().info(what + ": " + message);
      context.events().changed(change.object().get(), "Resumed", message);
    }
    done.add(what);
  }

  private void leftAlone(String what, String why) {
    context
        .progress()
        .warn(what + " was changed during the run (" + why + "): left as it is, not restored");
  }

  private static <T extends HasMetadata> T annotate(T object, String key, String value) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    if (annotations == null) {
      annotations = new LinkedHashMap<>();
      object.getMetadata().setAnnotations(annotations);
    }
    if (value == null) {
      annotations.remove(key);
    } else {
      annotations.put(key, value);
    }
    return object;
  }

  private static String key(HasMetadata object) {
    return object.getKind().toLowerCase(java.util.Locale.ROOT)
        + "/"
        + object.getMetadata().getName();
  }

  private static String display(ArgoCdRecord record) {
    return record.namespace() + "/" + record.name();
  }

  private static String quoted(String value) {
    return value == null ? "<none>" : "\"" + value + "\"";
  }
}
