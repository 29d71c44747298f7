package dev.pitstop.plan;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.kube.Survey;
import dev.pitstop.kube.Survey.Listing;
import dev.pitstop.kube.Survey.Lookup;
import dev.pitstop.step.MaintenanceTarget;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where users reach the app: the Services that select its pods, the Ingresses and HTTPRoutes that
 * route to those Services, and so the maintenance mode to propose — an HTTPRoute first, then an
 * Ingress, then a Service, then a ConfigMap key the app reads — with its flags, and whether the
 * shipped maintenance page is there to show.
 */
final class FrontDoor {
  /** The shipped maintenance page: Service {@code maintenance-page}, port 80, and its pods. */
  static final String PAGE_SERVICE = "maintenance-page";

  static final int PAGE_PORT = 80;
  static final String PAGE_SELECTOR = "app.kubernetes.io/name=pitstop-maintenance-page";

  /** What was found and what is proposed. */
  record Door(
      List<String> services,
      List<String> ingresses,
      List<String> routes,
      String mode,
      Map<String, Object> options,
      String page,
      String smokeUrl) {}

  private final Survey survey;
  private final PlanReport report;

  FrontDoor(Survey survey, PlanReport report) {
    this.survey = survey;
    this.report = report;
  }

  /**
   * @param scaled the workloads the run scales (their pods are what users reach)
   * @param services the namespace's Services, as listed
   * @param deployments the namespace's Deployments, to find the maintenance page's
   * @param given the maintenance mode the user gave, or null
   * @param givenOptions that mode's options as given
   */
  Door find(
      List<PodOwner> scaled,
      Listing services,
      List<GenericKubernetesResource> deployments,
      MaintenanceTarget given,
      Map<String, Object> givenOptions) {
    Map<String, GenericKubernetesResource> selecting = new LinkedHashMap<>();
    if (services.read()) {
      for (GenericKubernetesResource service : services.items()) {
        if (service.get("spec", "selector") instanceof Map<?, ?> selector
            && !selector.isEmpty()
            && scaled.stream().anyMatch(o -> selects(selector, o.podLabels()))) {
          selecting.put(service.getMetadata().getName(), service);
        }
      }
    }
    List<String> ingresses = new ArrayList<>();
    Listing ingressList = survey.list(Survey.INGRESSES);
    if (!ingressList.read()) {
      report.unknown("Ingresses", ingressList.reason());
    }
    for (GenericKubernetesResource ingress : ingressList.items()) {
      if (ingressBackends(ingress).stream().anyMatch(selecting::containsKey)) {
        ingresses.add(ingress.getMetadata().getName());
      }
    }
    List<String> routes = new ArrayList<>();
    Listing routeList = survey.list(Survey.HTTPROUTES);
    if (!routeList.read()) {
      report.unknown("Gateway API HTTPRoutes", routeList.reason());
    }
    for (GenericKubernetesResource route : routeList.items()) {
      if (routeBackends(route).stream().anyMatch(selecting::containsKey)) {
        routes.add(route.getMetadata().getName());
      }
    }
    String page = maintenancePage(deployments);

    Map<String, Object> options = new LinkedHashMap<>();
    String mode;
    String smoke = null;
    if (given != null) {
      mode = modeOf(given);
      options.putAll(givenOptions);
      check(given);
    } else if (!routes.isEmpty()) {
      mode = "httproute";
      options.put("mode", mode);
      options.put("httproute", routes.get(0));
      options.put("maintenance-backend", PAGE_SERVICE + ":" + PAGE_PORT);
      alsoRouted("httproute", routes);
    } else if (!ingresses.isEmpty()) {
      mode = "ingress";
      options.put("mode", mode);
      options.put("ingress", ingresses.get(0));
      options.put("maintenance-backend", PAGE_SERVICE + ":" + PAGE_PORT);
      alsoRouted("ingress", ingresses);
    } else if (!selecting.isEmpty()) {
      mode = "service";
      String name = selecting.keySet().iterator().next();
      options.put("mode", mode);
      options.put("service", name);
      options.put("maintenance-selector", PAGE_SELECTOR);
      servicePort(selecting.get(name));
    } else {
      mode = "configmap";
      options.put("mode", mode);
      report.warn(
          "no Service selects the workloads' pods, so users reach them some other way: configmap"
              + " mode needs a ConfigMap key the app reads to show its own maintenance page; add"
              + " --configmap NAME --key KEY (and --value) to the run");
    }
    if (!mode.equals("configmap") && !"installed".equals(page)) {
      report.warn(
          "the shipped maintenance page is "
              + page
              + ": "
              + mode
              + " mode would send users to nothing; install it with `kubectl apply -k"
              + " maintenance-page/ -n "
              + survey.cluster().namespace()
              + "`");
    }
    if (!selecting.isEmpty() && !mode.equals("service")) {
      smoke = smokeUrl(selecting.values().iterator().next(), scaled);
    } else if (mode.equals("service")) {
      report.note(
          "in service mode the app's own Service points at the maintenance page while the smoke"
              + " test runs: give smoke-test a URL that reaches the new pods another way");
    }
    return new Door(List.copyOf(selecting.keySet()), ingresses, routes, mode, options, page, smoke);
  }

  private void alsoRouted(String kind, List<String> all) {
    if (all.size() > 1) {
      report.warn(
          "users also reach the app through "
              + String.join(
                  ", ", all.subList(1, all.size()).stream().map(n -> kind + "/" + n).toList())
              + ": maintenance mode switches only "
              + kind
              + "/"
              + all.get(0)
              + "; the others answer with errors while the app is down");
    }
  }

  /** The maintenance target given must exist: capturing it reads it and writes nothing. */
  private void check(MaintenanceTarget given) {
    try {
      given.capture(survey.cluster());
    } catch (PitstopException e) {
      if (e.isTransient()) {
        throw e;
      }
      if (e.exitCode() == ExitCode.USAGE) {
        report.block("maintenance-on would fail: " + e.getMessage());
      } else {
        report.unknown("maintenance target " + given.describe(), e.getMessage());
      }
    }
  }

  private static String modeOf(MaintenanceTarget target) {
    if (target instanceof MaintenanceTarget.ServiceSelector) {
      return "service";
    }
    if (target instanceof MaintenanceTarget.IngressBackends) {
      return "ingress";
    }
    if (target instanceof MaintenanceTarget.HttpRouteBackends) {
      return "httproute";
    }
    return "configmap";
  }

  /** Service mode sends traffic to the page's pods on the app Service's targetPort. */
  private void servicePort(GenericKubernetesResource service) {
    for (Map<String, Object> port : PodOwner.list(service.get("spec", "ports"))) {
      Object target = port.get("targetPort") == null ? port.get("port") : port.get("targetPort");
      String text = String.valueOf(target);
      if (!text.equals("8080") && !text.equals("http")) {
        report.warn(
            "service/"
                + service.getMetadata().getName()
                + " sends port "
                + port.get("port")
                + " to targetPort "
                + text
                + ": the maintenance page listens on 8080 (named http), so in service mode users"
                + " would get no answer there");
      }
    }
  }

  private String maintenancePage(List<GenericKubernetesResource> deployments) {
    Lookup service = survey.get(Survey.SERVICES, survey.cluster().namespace(), PAGE_SERVICE);
    if (!service.read()) {
      report.unknown("the maintenance page", service.reason());
      return "unknown";
    }
    if (service.object().isEmpty()) {
      return "not installed (no service/" + PAGE_SERVICE + ")";
    }
    boolean ready =
        deployments.stream()
            .filter(d -> isPage(d))
            .anyMatch(
                d -> d.get("status", "readyReplicas") instanceof Number n && n.intValue() > 0);
    return ready ? "installed" : "installed but not ready (no ready maintenance-page pod)";
  }

  static boolean isPage(GenericKubernetesResource object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null
        && "pitstop-maintenance-page".equals(labels.get("app.kubernetes.io/name"));
  }

  /**
   * A smoke-test URL: the app's Service, by its cluster name and first port, and the path of the
   * pods' HTTP readiness probe. Smoke tests run while maintenance is still on, through the Service.
   */
  private String smokeUrl(GenericKubernetesResource service, List<PodOwner> scaled) {
    List<Map<String, Object>> ports = PodOwner.list(service.get("spec", "ports"));
    if (ports.isEmpty()) {
      return null;
    }
    String path = null;
    for (PodOwner owner : scaled) {
      for (Map<String, Object> container : PodOwner.list(owner.podSpec().get("containers"))) {
        if (path == null
            && container.get("readinessProbe") instanceof Map<?, ?> probe
            && probe.get("httpGet") instanceof Map<?, ?> get
            && get.get("path") instanceof String p) {
          path = p;
        }
      }
    }
    if (path == null) {
      return null;
    }
    return "http://"
        + service.getMetadata().getName()
        + "."
        + survey.cluster().namespace()
        + ".svc:"
        + ports.get(0).get("port")
        + (path.startsWith("/") ? path : "/" + path);
  }

  private static boolean selects(Map<?, ?> selector, Map<String, String> labels) {
    for (Map.Entry<?, ?> entry : selector.entrySet()) {
      if (!String.valueOf(entry.getValue()).equals(labels.get(String.valueOf(entry.getKey())))) {
        return false;
      }
    }
    return true;
  }

  private static Set<String> ingressBackends(GenericKubernetesResource ingress) {
    Set<String> names = new LinkedHashSet<>();
    if (ingress.get("spec", "defaultBackend", "service", "name") instanceof String name) {
      names.add(name);
    }
    if (ingress.get("spec", "rules") instanceof List<?> rules) {
      for (Object rule : rules) {
        if (rule instanceof Map<?, ?> r && r.get("http") instanceof Map<?, ?> http) {
          for (Map<String, Object> path : PodOwner.list(http.get("paths"))) {
            if (path.get("backend") instanceof Map<?, ?> backend
                && backend.get("service") instanceof Map<?, ?> service
                && service.get("name") instanceof String name) {
              names.add(name);
            }
          }
        }
      }
    }
    return names;
  }

  /**
   * The Services of this namespace an HTTPRoute sends to (Gateway API's defaults: core Service).
   */
  private Set<String> routeBackends(GenericKubernetesResource route) {
    Set<String> names = new LinkedHashSet<>();
    if (route.get("spec", "rules") instanceof List<?> rules) {
      for (Object rule : rules) {
        if (!(rule instanceof Map<?, ?> r)) {
          continue;
        }
        for (Map<String, Object> ref : PodOwner.list(r.get("backendRefs"))) {
          Object group = ref.get("group");
          Object kind = ref.get("kind");
          Object namespace = ref.get("namespace");
          if ((group == null || "".equals(group))
              && (kind == null || "Service".equals(kind))
              && (namespace == null || survey.cluster().namespace().equals(namespace))
              && ref.get("name") instanceof String name) {
            names.add(name);
          }
        }
      }
    }
    return names;
  }
}
