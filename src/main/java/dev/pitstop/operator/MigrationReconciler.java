package dev.pitstop.operator;

import dev.pitstop.core.Durations;
import dev.pitstop.core.PitstopException;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.ledger.StepRecord;
import dev.pitstop.operator.Rendered.Role;
import dev.pitstop.operator.model.Migration;
import dev.pitstop.operator.model.MigrationSpec;
import dev.pitstop.operator.model.MigrationStatus;
import dev.pitstop.operator.model.MigrationStatus.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one Migration from posted to ended: plan (in a Job), approval, window, lock, then the run
 * Job, whose progress it mirrors from the run record. The procedure itself never runs here: an
 * operator restart or a second replica taking over finds everything it needs in the Jobs, their
 * pods' exit codes and the run record, and goes on from there.
 *
 * <p>Every decision reads the cluster as it is now (Jobs, pods and the run record by name), not a
 * cache: a replica that just took over has no memory to trust. Status is written with the
 * resourceVersion it was read at, so two replicas can never both record an end.
 */
@ControllerConfiguration(name = "migrations", finalizerName = MigrationReconciler.FINALIZER)
public final class MigrationReconciler implements Reconciler<Migration>, Cleaner<Migration> {
  public static final String FINALIZER = "pitstop.dev/wait-for-run";
  static final String SPEC_HASH_ANNOTATION = "pitstop.dev/spec-hash";
  private static final Logger LOG = LoggerFactory.getLogger(MigrationReconciler.class);

  private final String image;
  private final Clock clock;

  /**
   * @param image the Pitstop image the Jobs run when the Migration names none: the operator's own
   */
  public MigrationReconciler(String image, Clock clock) {
    this.image = image;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, Migration>> prepareEventSources(
      EventSourceContext<Migration> context) {
    // Jobs (plan, run and finish) by their label: the finish Job of a Migration being deleted has
    // no owner reference
    InformerEventSource<Job, Migration> jobs =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, Migration.class)
                .withLabelSelector(Rendered.MANAGED_BY + "=" + Rendered.OPERATOR)
                .withSecondaryToPrimaryMapper(
                    job ->
                        Set.of(
                            new ResourceID(
                                job.getMetadata().getLabels().get(Rendered.MIGRATION_LABEL),
                                job.getMetadata().getNamespace())))
                .build(),
            context);
    // run records: a step's progress is mirrored, and a released lock wakes the Migrations that
    // wait for it
    InformerEventSource<ConfigMap, Migration> records =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, Migration.class)
                .withLabelSelector(dev.pitstop.kube.LedgerStore.MANAGED_BY + "=pitstop")
                .withSecondaryToPrimaryMapper(
                    record -> {
                      String app =
                          record.getMetadata().getLabels() == null
                              ? null
                              : record
                                  .getMetadata()
                                  .getLabels()
                                  .get(dev.pitstop.kube.LedgerStore.APP_LABEL);
                      return context
                          .getPrimaryCache()
                          .list(record.getMetadata().getNamespace())
                          .filter(m -> m.getSpec() != null && Objects.equals(m.getSpec().app, app))
                          .map(ResourceID::fromResource)
                          .collect(Collectors.toSet());
                    })
                .build(),
            context);
    return List.of(jobs, records);
  }

  @Override
  public UpdateControl<Migration> reconcile(Migration migration, Context<Migration> context) {
    return drive(migration, context.getClient(), false).control;
  }

  @Override
  public DeleteControl cleanup(Migration migration, Context<Migration> context) {
    Outcome outcome = drive(migration, context.getClient(), true);
    if (outcome.releasable) {
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(10).toMillis());
  }

  private record Outcome(UpdateControl<Migration> control, boolean releasable) {}

  private Outcome drive(Migration migration, KubernetesClient client, boolean deleting) {
    MigrationStatus before =
        migration.getStatus() == null ? new MigrationStatus() : copy(migration.getStatus());
    Work work = new Work(migration, copy(before), client, deleting);
    Duration again;
    try {
      again = work.advance();
      if (!Serialization.asJson(work.status).equals(Serialization.asJson(before))) {
        writeStatus(client, migration, work.status);
        work.events.forEach(e -> postEvent(client, migration, e));
      }
    } catch (KubernetesClientException | PitstopException e) {
      // a conflict (another writer, a stale cache) or the API server's trouble: read again soon
      LOG.info(
          "migration {}/{}: {}; trying again",
          migration.getMetadata().getNamespace(),
          migration.getMetadata().getName(),
          e.getMessage());
      UpdateControl<Migration> retry =
          UpdateControl.<Migration>noUpdate().rescheduleAfter(Duration.ofSeconds(1));
      return new Outcome(retry, false);
    }
    UpdateControl<Migration> control = UpdateControl.noUpdate();
    if (again != null) {
      control = control.rescheduleAfter(again);
    }
    return new Outcome(control, work.releasable);
  }

  private static MigrationStatus copy(MigrationStatus status) {
    return Serialization.unmarshal(Serialization.asJson(status), MigrationStatus.class);
  }

  private static void writeStatus(
      KubernetesClient client, Migration migration, MigrationStatus status) {
    Migration updated = Serialization.clone(migration);
    updated.setStatus(status);
    // the resourceVersion read: a status another replica wrote meanwhile is never overwritten
    client.resource(updated).updateStatus();
  }

  private record Note(String type, String reason, String message) {}

  private void postEvent(KubernetesClient client, Migration migration, Note note) {
    try {
      Instant now = clock.instant();
      client
          .v1()
          .events()
          .inNamespace(migration.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(migration.getMetadata().getName() + ".")
                  .withNamespace(migration.getMetadata().getNamespace())
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(migration.getApiVersion())
                  .withKind(migration.getKind())
                  .withName(migration.getMetadata().getName())
                  .withNamespace(migration.getMetadata().getNamespace())
                  .withUid(migration.getMetadata().getUid())
                  .endInvolvedObject()
                  .withType(note.type())
                  .withReason(note.reason())
                  .withMessage(note.message())
                  .withFirstTimestamp(now.toString())
                  .withLastTimestamp(now.toString())
                  .withCount(1)
                  .withNewSource()
                  .withComponent(Rendered.OPERATOR)
                  .endSource()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot post event {}: {}", note.reason(), e.getMessage());
    }
  }

  /** Problems with a spec that no Job needs to find: one sentence each. */
  public static List<String> problems(MigrationSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return List.of("the Migration has no spec");
    }
    if (spec.app == null || !spec.app.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      problems.add("spec.app must be a lower-case DNS label, e.g. shop");
    }
    if (spec.database == null
        || spec.database.jdbcUrl == null
        || spec.database.user == null
        || spec.database.passwordSecretRef == null
        || spec.database.passwordSecretRef.name == null
        || spec.database.passwordSecretRef.key == null) {
      problems.add("spec.database needs jdbcUrl, user and passwordSecretRef (name and key)");
    }
    MigrationSpec.Migrations m = spec.migrations;
    int sources =
        m == null
            ? 0
            : (m.configMap == null ? 0 : 1)
                + (m.image == null ? 0 : 1)
                + (m.locations == null || m.locations.isEmpty() ? 0 : 1);
    if (sources != 1) {
      problems.add("spec.migrations needs exactly one of configMap, image and locations");
    }
    if (spec.timeout != null) {
      try {
        Durations.parse(spec.timeout);
      } catch (PitstopException e) {
        problems.add("spec.timeout: " + e.getMessage());
      }
    }
    if (spec.approval != null
        && spec.approval.mode != null
        && !List.of("auto", "manual").contains(spec.approval.mode)) {
      problems.add("spec.approval.mode must be auto or manual");
    }
    if (spec.window != null) {
      Optional<Instant> from = time(spec.window.notBefore, "notBefore", problems);
      Optional<Instant> to = time(spec.window.notAfter, "notAfter", problems);
      if (from.isPresent() && to.isPresent() && !to.get().isAfter(from.get())) {
        problems.add("spec.window.notAfter must be after notBefore");
      }
    }
    return problems;
  }

  private static Optional<Instant> time(String text, String field, List<String> problems) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      problems.add(
          "spec.window."
              + field
              + " '"
              + text
              + "' is not an RFC 3339 time, e.g. 2026-03-01T02:00:00Z");
      return Optional.empty();
    }
  }

  /** The spec's hash, leaving out the approval itself (approving must not change the plan). */
  public static String specHash(MigrationSpec spec) {
    MigrationSpec copy = Serialization.clone(spec);
    if (copy.approval != null) {
      copy.approval.approvedPlanHash = null;
    }
    return Rendered.sha256(Serialization.asJson(copy)).substring(0, 16);
  }

  /** The plan's hash: the spec it was made for and what the plan found. */
  static String planHash(String specHash, String digest) {
    return Rendered.sha256(specHash + "\n" + digest).substring(0, 12);
  }

  /** One pass over one Migration. */
  private final class Work {
    final Migration migration;
    final MigrationStatus status;
    final KubernetesClient client;
    final boolean deleting;
    final String namespace;
    final String name;
    final List<Note> events = new ArrayList<>();
    boolean releasable;

    Work(Migration migration, MigrationStatus status, KubernetesClient client, boolean deleting) {
      this.migration = migration;
      this.status = status;
      this.client = client;
      this.deleting = deleting;
      this.namespace = migration.getMetadata().getNamespace();
      this.name = migration.getMetadata().getName();
      status.runId = migration.getMetadata().getUid();
    }

    /** Moves the Migration on; returns when to look again without an event, or null. */
    Duration advance() {
      if (status.phase != null && Phase.valueOf(status.phase).ended()) {
        releasable = true;
        return null;
      }
      Optional<Job> run = job(Role.RUN);
      Optional<Job> finish = job(Role.FINISH);
      boolean started = status.approvedPlanHash != null || run.isPresent() || finish.isPresent();
      if (!started) {
        if (deleting) {
          // nothing has started: nothing to wait for
          releasable = true;
          return null;
        }
        return beforeStart();
      }
      return afterStart(run, finish);
    }

    private Duration beforeStart() {
      MigrationSpec spec = migration.getSpec();
      status.observedGeneration = migration.getMetadata().getGeneration();
      List<String> problems = problems(spec);
      if (!problems.isEmpty()) {
        phase(Phase.Failed, "invalid spec: " + String.join("; ", problems));
        condition("Stalled", true, "InvalidSpec", status.message);
        condition("Reconciling", false, "InvalidSpec", "fix the spec");
        condition("Ready", false, "InvalidSpec", status.message);
        return null;
      }
      ensureConfig();
      String specHash = specHash(spec);
      if (status.plan == null || !specHash.equals(status.specHash)) {
        if (!plan(specHash)) {
          return null;
        }
        // the plan is recorded (phase Planned) before anything acts on it
        return Duration.ofMillis(1);
      }
      MigrationStatus.Plan plan = status.plan;
      if (!Boolean.TRUE.equals(plan.runnable)) {
        phase(
            Phase.Planned,
            "the plan has "
                + plan.blockers.size()
                + " blocker(s): "
                + String.join("; ", plan.blockers));
        condition("Approved", false, "Blocked", status.message);
        condition("Stalled", true, "Blocked", status.message);
        condition("Reconciling", false, "Blocked", "fix what the plan found, then edit the spec");
        condition("Ready", false, "Blocked", status.message);
        return null;
      }
      boolean manual = spec.approval != null && "manual".equals(spec.approval.mode);
      if (manual) {
        String approved = spec.approval.approvedPlanHash;
        if (approved == null || approved.isBlank()) {
          phase(
              Phase.Planned,
              "waiting for approval of plan "
                  + plan.hash
                  + ": `pitstop approve "
                  + name
                  + " -n "
                  + namespace
                  + "` shows it and approves it");
          condition("Approved", false, "AwaitingApproval", status.message);
          waiting("AwaitingApproval");
          return null;
        }
        if (!approved.equals(plan.hash)) {
          phase(
              Phase.Planned,
              "approval refused: spec.approval.approvedPlanHash "
                  + approved
                  + " is not the plan's hash "
                  + plan.hash
                  + " (the plan changed since it was approved); review it with `pitstop approve "
                  + name
                  + " -n "
                  + namespace
                  + "`");
          condition("Approved", false, "StaleApproval", status.message);
          waiting("StaleApproval");
          note("Warning", "StaleApproval", status.message);
          return null;
        }
      }
      Instant now = clock.instant();
      MigrationSpec.Window window = spec.window;
      if (window != null && window.notAfter != null && !window.notAfter.isBlank()) {
        Instant closes = OffsetDateTime.parse(window.notAfter).toInstant();
        if (now.isAfter(closes)) {
          end(
              Phase.Failed,
              null,
              "refused: its window closed at "
                  + closes
                  + " before the run could start; nothing was changed. Post a new Migration with"
                  + " a new window");
          return null;
        }
      }
      if (window != null && window.notBefore != null && !window.notBefore.isBlank()) {
        Instant opens = OffsetDateTime.parse(window.notBefore).toInstant();
        if (now.isBefore(opens)) {
          phase(Phase.Waiting, "approved; waiting for its window, which opens at " + opens);
          condition("Approved", true, manual ? "Manual" : "Auto", "plan " + plan.hash);
          waiting("NotBefore");
          return Duration.between(now, opens).plusMillis(100);
        }
      }
      if (lockedByAnother()) {
        return null;
      }
      status.approvedPlanHash = plan.hash;
      condition("Approved", true, manual ? "Manual" : "Auto", "plan " + plan.hash);
      note("Normal", "Approved", "plan " + plan.hash + (manual ? " approved" : " approved (auto)"));
      return startRun();
    }

    /** Runs the plan Job for this spec; true once the plan is in the status. */
    private boolean plan(String specHash) {
      Optional<Job> job = job(Role.PLAN);
      if (job.isPresent()
          && !specHash.equals(job.get().getMetadata().getAnnotations().get(SPEC_HASH_ANNOTATION))) {
        // a plan of an earlier spec: plan again
        client
            .resource(job.get())
            .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
            .delete();
        job = Optional.empty();
        planning("the spec changed: planning again");
        return false;
      }
      if (job.isEmpty()) {
        Job plan = Rendered.job(migration, Role.PLAN, imageOf(), true);
        plan.getMetadata().getAnnotations().put(SPEC_HASH_ANNOTATION, specHash);
        create(plan);
        planning("planning in job/" + plan.getMetadata().getName());
        return false;
      }
      Optional<Boolean> done = finished(job.get());
      if (done.isEmpty()) {
        planning("planning in job/" + job.get().getMetadata().getName());
        return false;
      }
      Terminated end = terminated(job.get());
      PlanSummary summary =
          end.message() == null || end.message().isBlank()
              ? PlanSummary.failed(
                  end.exitCode() == null ? 1 : end.exitCode(),
                  "the plan Job ended without a plan (exit " + end.exitCode() + ")")
              : parse(end);
      if (!summary.planned()) {
        status.plan = null;
        phase(
            summary.exitCode() == 2 ? Phase.Failed : Phase.Pending,
            "the plan failed (exit " + summary.exitCode() + "): " + summary.error());
        condition("Planned", false, "PlanFailed", status.message);
        condition("Stalled", true, "PlanFailed", status.message);
        condition("Reconciling", false, "PlanFailed", "fix the spec or what the plan says");
        condition("Ready", false, "PlanFailed", status.message);
        return false;
      }
      MigrationStatus.Plan plan = new MigrationStatus.Plan();
      plan.hash = planHash(specHash, summary.digest());
      plan.runnable = summary.runnable();
      plan.blockers = new ArrayList<>(summary.blockers());
      plan.warnings = new ArrayList<>(summary.warnings());
      plan.workloads = new ArrayList<>(summary.workloads());
      plan.pending = new ArrayList<>(summary.pending());
      plan.downtime = summary.downtime();
      plan.summary = summary.summary();
      plan.plannedAt = Optional.ofNullable(end.finishedAt()).orElse(clock.instant().toString());
      status.plan = plan;
      status.specHash = specHash;
      phase(Phase.Planned, "planned: " + summary.summary());
      condition(
          "Planned",
          true,
          plan.runnable ? "Runnable" : "Blocked",
          "plan " + plan.hash + ", downtime " + plan.downtime);
      note("Normal", "Planned", "plan " + plan.hash + ": " + summary.summary());
      return true;
    }

    private PlanSummary parse(Terminated end) {
      try {
        return PlanSummary.fromMessage(end.message());
      } catch (RuntimeException e) {
        return PlanSummary.failed(
            end.exitCode() == null ? 1 : end.exitCode(), firstLine(end.message()));
      }
    }

    private void planning(String message) {
      phase(Phase.Pending, message);
      condition("Planned", false, "Planning", message);
      condition("Reconciling", true, "Planning", message);
      condition("Stalled", false, "Planning", message);
      condition("Ready", false, "Planning", message);
    }

    private void waiting(String reason) {
      condition("Reconciling", true, reason, status.message);
      condition("Stalled", false, reason, status.message);
      condition("Ready", false, reason, status.message);
    }

    /** Another run holds the app: wait for it (its record's deletion wakes this Migration). */
    private boolean lockedByAnother() {
      Optional<Ledger> record = record();
      if (record.isPresent() && !record.get().runId().equals(status.runId)) {
        Ledger other = record.get();
        phase(
            Phase.Waiting,
            "app "
                + migration.getSpec().app
                + " is locked by run "
                + other.runId()
                + " (holder "
                + other.holder()
                + ") since "
                + other.lockedAt()
                + ": waiting for it to end");
        waiting("Locked");
        return true;
      }
      return false;
    }

    private Duration startRun() {
      Job job = Rendered.job(migration, Role.RUN, imageOf(), true);
      create(job);
      status.job = job.getMetadata().getName();
      status.startedAt = clock.instant().toString();
      status.exitCode = null;
      phase(Phase.Running, "running the procedure in job/" + job.getMetadata().getName());
      condition("Reconciling", true, "Running", status.message);
      condition("Stalled", false, "Running", status.message);
      condition("Ready", false, "Running", status.message);
      note("Normal", "Started", status.message);
      return null;
    }

    private Duration afterStart(Optional<Job> run, Optional<Job> finish) {
      Optional<Ledger> record = record().filter(l -> l.runId().equals(status.runId));
      record.ifPresent(this::mirror);
      if (finish.isPresent()) {
        return finishing(finish.get());
      }
      if (run.isEmpty()) {
        if (record.isPresent()) {
          // the run Job is gone while the run holds the app (deleted by hand, or with its owner
          // in a foreground deletion): end the run from its record
          return startFinish("job/" + Rendered.jobName(migration, Role.RUN) + " is gone");
        }
        if (deleting) {
          releasable = true;
          return null;
        }
        if (lockedByAnother()) {
          return Duration.ofMinutes(1);
        }
        return startRun();
      }
      Optional<Boolean> done = finished(run.get());
      if (done.isEmpty()) {
        phase(
            Phase.Running,
            (deleting ? "being deleted: waits for the run to end; " : "")
                + "running "
                + Optional.ofNullable(status.currentStep).orElse("the procedure")
                + " in job/"
                + run.get().getMetadata().getName());
        condition("Reconciling", true, "Running", status.message);
        return null;
      }
      Terminated end = terminated(run.get());
      if (done.get()) {
        end(Phase.Succeeded, 0, outcome(end, "migrated and up"));
        return null;
      }
      Integer code = end.exitCode();
      Phase phase = code == null ? null : Phase.ofExitCode(code);
      if (code != null && code == dev.pitstop.core.ExitCode.LOCKED) {
        // another run took the app between our look and the Job's: nothing was changed; wait
        client
            .resource(run.get())
            .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
            .delete();
        if (deleting) {
          releasable = true;
          return null;
        }
        phase(Phase.Waiting, outcome(end, "another run holds the app") + ": waiting for it");
        waiting("Locked");
        return Duration.ofSeconds(30);
      }
      if (phase != null) {
        end(phase, code, outcome(end, "exit " + code));
        return null;
      }
      if (record.isPresent()) {
        return startFinish(
            "job/"
                + run.get().getMetadata().getName()
                + " failed"
                + (code == null ? "" : " with exit " + code)
                + " before the run ended");
      }
      end(
          Phase.Failed,
          code,
          "job/"
              + run.get().getMetadata().getName()
              + " failed"
              + (code == null ? "" : " with exit " + code)
              + " before it took the lock: nothing was changed; "
              + outcome(end, ""));
      return null;
    }

    private Duration startFinish(String why) {
      // made while the Migration is deleted, the finish Job must outlive it
      Job job = Rendered.job(migration, Role.FINISH, imageOf(), !deleting);
      create(job);
      phase(Phase.Running, why + ": `pitstop finish` ends the run from its record");
      status.currentStep = "finish";
      condition("Reconciling", true, "Finishing", status.message);
      note("Warning", "Finishing", status.message);
      return null;
    }

    private Duration finishing(Job finish) {
      Optional<Boolean> done = finished(finish);
      if (done.isEmpty()) {
        status.currentStep = "finish";
        phase(
            Phase.Running,
            "finishing the run from its record in job/" + finish.getMetadata().getName());
        return null;
      }
      Terminated end = terminated(finish);
      if (done.get()) {
        String outcome = Optional.ofNullable(end.message()).orElse("").trim();
        Phase phase =
            switch (outcome) {
              case dev.pitstop.step.FinishStep.MIGRATED -> Phase.Succeeded;
              case dev.pitstop.step.FinishStep.ROLLED_BACK, dev.pitstop.step.FinishStep.NOTHING ->
                  Phase.RolledBack;
              default -> Phase.NeedsAttention;
            };
        end(phase, phase == Phase.Succeeded ? 0 : 1, "finished from the run record: " + outcome);
      } else {
        end(
            Phase.NeedsAttention,
            end.exitCode(),
            "`pitstop finish` failed"
                + (end.exitCode() == null ? "" : " with exit " + end.exitCode())
                + ": the app may be in maintenance and locked; `pitstop status --app "
                + migration.getSpec().app
                + " -n "
                + namespace
                + "` says what is left");
      }
      return null;
    }

    private String outcome(Terminated end, String otherwise) {
      String message = end.message() == null ? "" : end.message().trim();
      return message.isEmpty() ? otherwise : firstLine(message);
    }

    /** The run has ended: the one place an end state is recorded. */
    private void end(Phase phase, Integer exitCode, String message) {
      status.phase = phase.name();
      status.endState = phase.endState();
      status.exitCode = exitCode;
      status.finishedAt = clock.instant().toString();
      status.message = message;
      if (phase == Phase.Succeeded || phase == Phase.RolledBack) {
        // the run's last two steps: maintenance-off is in the record, unlock removed the record
        closeStep("maintenance-off");
        closeStep("unlock");
      }
      condition("Ready", phase == Phase.Succeeded, phase.name(), message);
      condition("Reconciling", false, phase.name(), message);
      condition("Stalled", phase != Phase.Succeeded, phase.name(), message);
      if (phase == Phase.Succeeded || phase == Phase.RolledBack || phase == Phase.Failed) {
        condition("MaintenanceOn", false, phase.name(), "maintenance is off");
      } else {
        condition("MaintenanceOn", true, phase.name(), "the app stays in maintenance, locked");
      }
      note(phase == Phase.Succeeded ? "Normal" : "Warning", phase.name(), message);
      releasable = true;
    }

    private void closeStep(String step) {
      if (status.steps.isEmpty()) {
        return;
      }
      MigrationStatus.Step found =
          status.steps.stream().filter(s -> s.name.equals(step)).findFirst().orElse(null);
      if (found == null) {
        found = new MigrationStatus.Step();
        found.name = step;
        found.started = status.finishedAt;
        found.attempts = 1;
        status.steps.add(found);
      }
      if (!"succeeded".equals(found.state)) {
        found.state = "succeeded";
        found.ended = status.finishedAt;
        found.exitCode = 0;
      }
      status.currentStep = step;
    }

    /** Copies each step's progress from the run record. */
    private void mirror(Ledger ledger) {
      List<MigrationStatus.Step> steps = new ArrayList<>();
      String current = null;
      for (StepRecord record : ledger.steps().values()) {
        MigrationStatus.Step step = new MigrationStatus.Step();
        step.name = record.step();
        step.state = record.state().name().toLowerCase(java.util.Locale.ROOT);
        step.started = record.started().toString();
        step.ended = record.ended() == null ? null : record.ended().toString();
        step.attempts = record.attempts();
        step.exitCode = record.exitCode();
        step.message = record.message();
        steps.add(step);
        if (current == null || record.state() == StepRecord.State.RUNNING) {
          current = record.step();
        }
      }
      // the step started last, unless one is still running
      StepRecord latest =
          ledger.steps().values().stream()
              .max(Comparator.comparing(StepRecord::started))
              .orElse(null);
      boolean anyRunning =
          ledger.steps().values().stream().anyMatch(s -> s.state() == StepRecord.State.RUNNING);
      status.steps = steps;
      status.currentStep = anyRunning || latest == null ? current : latest.step();
      boolean on =
          ledger.maintenance().filter(dev.pitstop.ledger.MaintenanceRecord::active).isPresent();
      condition(
          "MaintenanceOn",
          on,
          on ? "MaintenanceOn" : "MaintenanceOff",
          on ? "users see the maintenance page" : "users reach the app");
    }

    private void ensureConfig() {
      ConfigMap wanted = Rendered.configMap(migration);
      ConfigMap found =
          client.configMaps().inNamespace(namespace).withName(wanted.getMetadata().getName()).get();
      if (found == null) {
        create(wanted);
      } else if (!Objects.equals(found.getData(), wanted.getData())) {
        found.setData(wanted.getData());
        client.resource(found).update();
      }
    }

    private void create(io.fabric8.kubernetes.api.model.HasMetadata object) {
      try {
        client.resource(object).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // made already, by this replica before a restart or by another one: the same object
      }
    }

    private Optional<Job> job(Role role) {
      return Optional.ofNullable(
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(namespace)
              .withName(Rendered.jobName(migration, role))
              .get());
    }

    /** How the Job's latest pod ended (pods of an earlier Job of the same name are not it). */
    private Terminated terminated(Job job) {
      String uid = job.getMetadata().getUid();
      return client
          .pods()
          .inNamespace(namespace)
          .withLabel("job-name", job.getMetadata().getName())
          .list()
          .getItems()
          .stream()
          .filter(
              p ->
                  p.getMetadata().getOwnerReferences() == null
                      || p.getMetadata().getOwnerReferences().isEmpty()
                      || p.getMetadata().getOwnerReferences().stream()
                          .anyMatch(o -> uid == null || uid.equals(o.getUid())))
          .max(
              Comparator.comparing(
                      (Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                  .thenComparing(p -> p.getMetadata().getName()))
          .map(MigrationReconciler::terminatedOf)
          .orElse(new Terminated(null, null, null));
    }

    private Optional<Ledger> record() {
      ConfigMap found =
          client
              .configMaps()
              .inNamespace(namespace)
              .withName("pitstop-" + migration.getSpec().app)
              .get();
      if (found == null || found.getData() == null || found.getData().get(Ledger.RUN_ID) == null) {
        return Optional.empty();
      }
      return Optional.of(Ledger.fromData(found.getMetadata().getName(), found.getData()));
    }

    private String imageOf() {
      String own = migration.getSpec().image;
      return own == null || own.isBlank() ? image : own;
    }

    private void phase(Phase phase, String message) {
      if (!phase.name().equals(status.phase)) {
        if (phase == Phase.Waiting || phase == Phase.Failed) {
          note(phase == Phase.Failed ? "Warning" : "Normal", phase.name(), message);
        }
      }
      status.phase = phase.name();
      status.message = message;
    }

    private void note(String type, String reason, String message) {
      events.add(new Note(type, reason, message));
    }

    private void condition(String type, boolean value, String reason, String message) {
      String state = value ? "True" : "False";
      Condition found =
          status.conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
      if (found == null) {
        found = new Condition();
        found.type = type;
        status.conditions.add(found);
      }
      if (!state.equals(found.status)) {
        found.lastTransitionTime = clock.instant().toString();
      }
      found.status = state;
      found.reason = reason;
      found.message = message;
      found.observedGeneration = migration.getMetadata().getGeneration();
    }
  }

  /** Empty while the Job runs; true when it completed, false when it failed. */
  static Optional<Boolean> finished(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    for (JobCondition condition : job.getStatus().getConditions()) {
      if ("True".equals(condition.getStatus())) {
        if ("Complete".equals(condition.getType())) {
          return Optional.of(true);
        }
        if ("Failed".equals(condition.getType())) {
          return Optional.of(false);
        }
      }
    }
    return Optional.empty();
  }

  /** How the Job's last pod ended: exit code and termination message. */
  record Terminated(Integer exitCode, String message, String finishedAt) {}

  private static Terminated terminatedOf(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return new Terminated(null, null, null);
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> Rendered.CONTAINER.equals(c.getName()))
        .map(c -> c.getState() == null ? null : c.getState().getTerminated())
        .filter(Objects::nonNull)
        .findFirst()
        .map(
            (ContainerStateTerminated t) ->
                new Terminated(t.getExitCode(), t.getMessage(), t.getFinishedAt()))
        .orElse(new Terminated(null, null, null));
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
