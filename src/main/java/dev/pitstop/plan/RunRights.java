package dev.pitstop.plan;

import dev.pitstop.kube.AccessReviews.Right;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rights a run needs, from what the steps call: the shipped Role ({@code
 * workflow-templates/rbac.yaml}) grants all of them, and a run of a given plan needs only some (no
 * CronJob rights without CronJobs, one maintenance mode's kind, Argo CD only with {@code
 * --pause-argocd}). The tests compare this with the shipped Role and with the requests a real run
 * sends.
 */
final class RunRights {
  /** A right and the step that needs it. */
  record Needed(Right right, String why) {}

  /**
   * What the run will touch.
   *
   * @param kinds the workload kinds in the run: deployment, statefulset, cronjob
   * @param holdsHpas an HPA with minReplicas 0 targets a workload (it is held at 1)
   * @param pausesScaledObjects a ScaledObject targets a workload (it is paused)
   * @param mode the maintenance mode: configmap, service, ingress or httproute
   * @param argoCdNamespaces where the Applications paused with {@code --pause-argocd} live
   * @param deleteRunningJobs {@code --delete-running-jobs}
   * @param bySelector the workloads are chosen with {@code --selector}: scale-down lists them
   */
  record Scope(
      String namespace,
      Set<String> kinds,
      boolean holdsHpas,
      boolean pausesScaledObjects,
      String mode,
      Set<String> argoCdNamespaces,
      boolean deleteRunningJobs,
      boolean bySelector) {}

  private RunRights() {}

  static List<Needed> of(Scope scope) {
    Map<Right, String> needed = new LinkedHashMap<>();
    String ns = scope.namespace();
    for (String verb : List.of("get", "create", "update", "delete")) {
      needed.put(
          new Right(ns, "", "configmaps", verb),
          "the run record and lock configmap/pitstop-APP (lock, every step, unlock)");
    }
    needed.put(new Right(ns, "", "events", "create"), "Events on the objects the run changes");
    needed.put(new Right(ns, "", "pods", "list"), "waiting until pods are gone or ready");
    needed.put(new Right(ns, "", "pods", "watch"), "waiting until pods are gone or ready");
    for (String kind : List.of("deployment", "statefulset")) {
      if (scope.kinds().contains(kind)) {
        for (String verb : List.of("get", "list", "watch", "update")) {
          needed.put(
              new Right(ns, "apps", kind + "s", verb),
              "scale-down, scale-up and rollback of the " + kind + "s, and their rollouts");
        }
      }
    }
    if (scope.kinds().contains("deployment") || scope.kinds().contains("statefulset")) {
      needed.put(
          new Right(ns, "autoscaling", "horizontalpodautoscalers", "list"),
          "scale-down looks for HPAs that could scale the app up");
      if (scope.holdsHpas()) {
        needed.put(
            new Right(ns, "autoscaling", "horizontalpodautoscalers", "get"),
            "holding an HPA with minReplicas 0 at 1, and putting it back");
        needed.put(
            new Right(ns, "autoscaling", "horizontalpodautoscalers", "update"),
            "holding an HPA with minReplicas 0 at 1, and putting it back");
      }
      // listed whether or not KEDA is installed: the API server checks the right before it
      // finds that nothing serves the path, so without it scale-down fails with 403
      needed.put(
          new Right(ns, "keda.sh", "scaledobjects", "list"),
          "scale-down looks for KEDA ScaledObjects");
      if (scope.pausesScaledObjects()) {
        for (String verb : List.of("get", "update")) {
          needed.put(
              new Right(ns, "keda.sh", "scaledobjects", verb),
              "pausing the KEDA ScaledObjects, and resuming them");
        }
      }
    }
    if (scope.bySelector()) {
      needed.put(
          new Right(ns, "batch", "cronjobs", "list"),
          "scale-down by --selector lists the CronJobs it matches");
    }
    if (scope.kinds().contains("cronjob")) {
      for (String verb : List.of("get", "update")) {
        needed.put(
            new Right(ns, "batch", "cronjobs", verb), "suspending the CronJobs, and resuming them");
      }
      for (String verb : List.of("list", "watch")) {
        needed.put(new Right(ns, "batch", "jobs", verb), "waiting for the CronJobs' running Jobs");
      }
      if (scope.deleteRunningJobs()) {
        needed.put(
            new Right(ns, "batch", "jobs", "delete"),
            "--delete-running-jobs deletes the CronJobs' running Jobs");
      }
    }
    String[] mode =
        switch (scope.mode() == null ? "" : scope.mode()) {
          case "service" -> new String[] {"", "services"};
          case "ingress" -> new String[] {"networking.k8s.io", "ingresses"};
          case "httproute" -> new String[] {"gateway.networking.k8s.io", "httproutes"};
          default -> null;
        };
    if (mode != null) {
      for (String verb : List.of("get", "update")) {
        needed.put(
            new Right(ns, mode[0], mode[1], verb),
            "maintenance-on and -off in " + scope.mode() + " mode");
      }
    }
    if ("ingress".equals(scope.mode()) || "httproute".equals(scope.mode())) {
      needed.put(
          new Right(ns, "", "services", "get"),
          "maintenance-on checks that the maintenance Service it routes to exists");
    }
    for (String argo : scope.argoCdNamespaces()) {
      for (String verb : List.of("get", "update")) {
        needed.put(
            new Right(argo, "argoproj.io", "applications", verb),
            "--pause-argocd pauses the Applications' automated sync (the opt-in"
                + " rbac-argocd.yaml Role)");
      }
    }
    List<Needed> list = new ArrayList<>();
    needed.forEach((right, why) -> list.add(new Needed(right, why)));
    return list;
  }
}
