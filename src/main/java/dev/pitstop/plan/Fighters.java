package dev.pitstop.plan;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.kube.ArgoCd;
import dev.pitstop.kube.CronJobs;
import dev.pitstop.kube.Selectors;
import dev.pitstop.kube.Survey;
import dev.pitstop.kube.Survey.Listing;
import dev.pitstop.kube.Survey.Lookup;
import dev.pitstop.kube.Workload;
import dev.pitstop.kube.WorkloadKind;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.step.KeepDown;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What would fight the scale-down: the autoscalers, CronJobs and Argo CD Applications scale-down
 * pauses itself (found by {@link KeepDown}'s own discovery, so the plan says exactly what the run
 * will do), and what it cannot pause: Flux, other controllers that own the workloads. Pod
 * disruption budgets are reported as information: a scale to zero is no eviction.
 */
final class Fighters {
  static final String FLUX_KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/name";
  static final String FLUX_KUSTOMIZATION_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace";
  static final String FLUX_HELM_RELEASE = "helm.toolkit.fluxcd.io/name";
  static final String FLUX_HELM_RELEASE_NAMESPACE = "helm.toolkit.fluxcd.io/namespace";

  /** What the discovery found that a run's rights depend on. */
  record Found(boolean holdsHpas, boolean pausesScaledObjects, Set<String> argoCd) {}

  private final Survey survey;
  private final PlanReport report;
  private final KeepDown keepDown;

  Fighters(Survey survey, PlanReport report, KeepDown keepDown) {
    this.survey = survey;
    this.report = report;
    this.keepDown = keepDown;
  }

  Found find(
      List<PodOwner> stopped, List<GenericKubernetesResource> jobs, KeepDown.Options options) {
    List<Workload> workloads = new ArrayList<>();
    List<GenericKubernetesResource> cronJobs = new ArrayList<>();
    for (PodOwner owner : stopped) {
      switch (owner.kind()) {
        case DEPLOYMENT -> workloads.add(Workload.of(WorkloadKind.DEPLOYMENT, owner.object()));
        case STATEFULSET -> workloads.add(Workload.of(WorkloadKind.STATEFULSET, owner.object()));
        case CRONJOB -> cronJobs.add(owner.object());
        default -> {
          // not stopped by scale-down
        }
      }
    }
    List<WorkloadRef> refs = workloads.stream().map(Workload::ref).toList();
    Ledger none = new Ledger("plan", "plan", Instant.EPOCH);
    KeepDown.Plan plan = new KeepDown.Plan();
    keepDown.discoverCronJobs(plan, cronJobs);
    attempt("horizontalpodautoscalers", () -> keepDown.discoverAutoscalers(plan, none, refs));
    boolean kedaServed = survey.serves(Survey.SCALED_OBJECTS);
    if (kedaServed) {
      attempt("scaledobjects.keda.sh", () -> keepDown.discoverScaledObjects(plan, none, refs));
    } else if (!refs.isEmpty()) {
      report.unknown(
          "KEDA ScaledObjects",
          PlanReport.NOT_SERVED + " ScaledObject (keda.sh/v1alpha1): KEDA is not installed");
    }
    List<HasMetadata> objects = new ArrayList<>();
    workloads.forEach(w -> objects.add(w.object()));
    objects.addAll(cronJobs);
    argoCd(plan, none, objects, options);
    report.pauses.addAll(plan.changes().stream().filter(c -> !c.startsWith("suspend ")).toList());
    plan.notes().forEach(report::note);
    plan.warnings().forEach(report::warn);
    runningJobs(cronJobs, jobs, options);
    for (PodOwner owner : stopped) {
      flux(owner);
      owners(owner);
    }
    disruptionBudgets(stopped);
    Set<String> argoNamespaces = new LinkedHashSet<>();
    plan.argoCd().forEach(a -> argoNamespaces.add(a.namespace()));
    return new Found(
        plan.autoscalers().stream().anyMatch(a -> a.raised()),
        !plan.scaledObjects().isEmpty(),
        argoNamespaces);
  }

  /**
   * Argo CD as scale-down would find it with {@code --pause-argocd}: each Application is read, so
   * the plan knows whether one has automated sync to pause and can propose the option.
   */
  private void argoCd(
      KeepDown.Plan plan, Ledger none, List<HasMetadata> objects, KeepDown.Options options) {
    List<HasMetadata> tracked =
        objects.stream()
            .filter(o -> ArgoCd.trackingOf(o, options.argoCdNamespace()).isPresent())
            .toList();
    if (tracked.isEmpty()) {
      return;
    }
    if (!survey.serves(Survey.APPLICATIONS)) {
      report.unknown(
          "Argo CD",
          tracked.size()
              + " workload(s) carry Argo CD's tracking label or annotation, but no Argo CD"
              + " Application (argoproj.io/v1alpha1) is served here: Argo CD may run in another"
              + " cluster, or Helm set the label; whether self-heal would undo the scale-down is"
              + " not known");
      return;
    }
    attempt(
        "Argo CD Applications",
        () ->
            keepDown.discoverArgoCd(
                plan,
                none,
                tracked,
                new KeepDown.Options(
                    options.deleteRunningJobs(), true, options.argoCdNamespace())));
  }

  private void runningJobs(
      List<GenericKubernetesResource> cronJobs,
      List<GenericKubernetesResource> jobs,
      KeepDown.Options options) {
    Set<String> uids = new LinkedHashSet<>();
    cronJobs.forEach(c -> uids.add(c.getMetadata().getUid()));
    for (GenericKubernetesResource job : jobs) {
      List<OwnerReference> owners = job.getMetadata().getOwnerReferences();
      if (owners != null
          && owners.stream()
              .anyMatch(o -> "CronJob".equals(o.getKind()) && uids.contains(o.getUid()))
          && !CronJobs.finished(job)) {
        report.note(
            "job/"
                + job.getMetadata().getName()
                + " of a suspended CronJob is running now: scale-down "
                + (options.deleteRunningJobs()
                    ? "deletes it (--delete-running-jobs)"
                    : "waits for it to finish (or pass --delete-running-jobs)"));
      }
    }
  }

  /** Flux re-applies what it manages on every reconciliation unless it is suspended. */
  private void flux(PodOwner owner) {
    Map<String, String> labels = owner.object().getMetadata().getLabels();
    if (labels == null) {
      return;
    }
    String kustomization = labels.get(FLUX_KUSTOMIZATION);
    if (kustomization != null) {
      String ns = labels.getOrDefault(FLUX_KUSTOMIZATION_NAMESPACE, "flux-system");
      String what = "Flux Kustomization " + ns + "/" + kustomization;
      Optional<GenericKubernetesResource> active =
          activeFluxObject(owner, Survey.KUSTOMIZATIONS, ns, kustomization, what);
      if (active.isPresent()) {
        report.warn(
            what
                + " manages "
                + owner.key()
                + " and re-applies it every "
                + active.get().get("spec", "interval")
                + ", putting its replicas back if its manifest sets them; Pitstop does not"
                + " suspend Flux: run `flux suspend kustomization "
                + kustomization
                + " -n "
                + ns
                + "` before the run and `flux resume kustomization "
                + kustomization
                + " -n "
                + ns
                + "` after it");
      }
    }
    String release = labels.get(FLUX_HELM_RELEASE);
    if (release != null) {
      String ns =
          labels.getOrDefault(
              FLUX_HELM_RELEASE_NAMESPACE, owner.object().getMetadata().getNamespace());
      String what = "Flux HelmRelease " + ns + "/" + release;
      Optional<GenericKubernetesResource> active =
          activeFluxObject(owner, Survey.HELM_RELEASES, ns, release, what);
      if (active.isEmpty()) {
        return;
      }
      if ("enabled".equals(active.get().get("spec", "driftDetection", "mode"))) {
        report.warn(
            what
                + " manages "
                + owner.key()
                + " with drift detection on: it puts the replicas back; run `flux suspend"
                + " helmrelease "
                + release
                + " -n "
                + ns
                + "` before the run and `flux resume helmrelease "
                + release
                + " -n "
                + ns
                + "` after it");
      } else {
        report.note(
            what
                + " manages "
                + owner.key()
                + "; without drift detection it does not undo the scale-down, but an upgrade"
                + " during the run would: suspend it for the run to be sure");
      }
    }
  }

  /**
   * The Flux object a workload's labels name, when it exists and is not suspended; what it cannot
   * be read, a label naming nothing and a suspended one are reported here.
   */
  private Optional<GenericKubernetesResource> activeFluxObject(
      PodOwner owner,
      io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind,
      String ns,
      String name,
      String what) {
    Lookup lookup = survey.get(kind, ns, name);
    if (!lookup.read()) {
      report.unknown(what + " (manages " + owner.key() + ")", lookup.reason());
    } else if (lookup.object().isEmpty()) {
      report.note(owner.key() + " carries Flux's label for " + what + ", which does not exist");
    } else if (Boolean.TRUE.equals(lookup.object().get().get("spec", "suspend"))) {
      report.note(what + " manages " + owner.key() + " and is suspended: it changes nothing");
    } else {
      return lookup.object();
    }
    return Optional.empty();
  }

  /** A workload owned by another object is kept as that owner wants it, by its controller. */
  private void owners(PodOwner owner) {
    List<OwnerReference> owners = owner.object().getMetadata().getOwnerReferences();
    if (owners == null) {
      return;
    }
    for (OwnerReference o : owners) {
      report.warn(
          owner.key()
              + " is owned by "
              + o.getKind()
              + " "
              + o.getName()
              + " ("
              + o.getApiVersion()
              + ")"
              + (Boolean.TRUE.equals(o.getController()) ? ", its controller," : "")
              + " whose operator may put the replicas back: pause that operator's reconciliation"
              + " for the run");
    }
  }

  private void disruptionBudgets(List<PodOwner> stopped) {
    if (stopped.stream().noneMatch(o -> o.kind().handling() == PodOwner.Handling.SCALED)) {
      return;
    }
    Listing pdbs = survey.list(Survey.PDBS);
    if (!pdbs.read()) {
      report.unknown("PodDisruptionBudgets", pdbs.reason());
      return;
    }
    for (GenericKubernetesResource pdb : pdbs.items()) {
      LabelSelector selector = Workload.of(WorkloadKind.DEPLOYMENT, pdb).selector();
      for (PodOwner owner : stopped) {
        if (owner.kind().handling() == PodOwner.Handling.SCALED
            && (selector.getMatchLabels() != null || selector.getMatchExpressions() != null)
            && Selectors.matches(selector, owner.podLabels())) {
          Object min = pdb.get("spec", "minAvailable");
          Object max = pdb.get("spec", "maxUnavailable");
          report.note(
              "poddisruptionbudget/"
                  + pdb.getMetadata().getName()
                  + (min != null
                      ? " (minAvailable " + min + ")"
                      : max != null ? " (maxUnavailable " + max + ")" : "")
                  + " covers "
                  + owner.key()
                  + ": a scale to 0 is no eviction, so it does not hold the scale-down up");
        }
      }
    }
  }

  /** Runs a read; a right missing or an answer refused becomes an unknown, the rest goes on. */
  private void attempt(String what, Runnable read) {
    try {
      read.run();
    } catch (PitstopException e) {
      if (e.isTransient() || e.exitCode() == ExitCode.USAGE) {
        throw e;
      }
      report.unknown(what, e.getMessage());
    }
  }

  static Map<String, String> labels(HasMetadata object) {
    return object.getMetadata().getLabels() == null
        ? new LinkedHashMap<>()
        : object.getMetadata().getLabels();
  }
}
