package dev.pitstop.step;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitstop.core.Json;
import dev.pitstop.core.PitstopException;
import dev.pitstop.kube.Cluster;
import dev.pitstop.ledger.MaintenanceRecord;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user-visible switch maintenance mode flips, in one of four modes. Each mode knows how to
 * capture the original, switch to maintenance, and put the original back from the run record.
 */
public sealed interface MaintenanceTarget
    permits MaintenanceTarget.ConfigMapKey,
        MaintenanceTarget.ServiceSelector,
        MaintenanceTarget.IngressBackends,
        MaintenanceTarget.HttpRouteBackends {

  /** The record of the original, read from the cluster before anything changes. */
  MaintenanceRecord capture(Cluster cluster);

  /** Switches the object to maintenance; returns the changed object. */
  HasMetadata switchOn(Cluster cluster);

  /** A short description for progress lines. */
  String describe();

  /**
   * What would make users see errors instead of the maintenance page — the maintenance Service
   * missing, no pod behind the maintenance selector — read before the switch. Warnings, not
   * refusals: the page may be installed while the run goes on.
   */
  default List<String> concerns(Cluster cluster) {
    return List.of();
  }

  /** A warning when Service {@code name} does not exist, for modes that route to it. */
  private static List<String> missingService(Cluster cluster, String name) {
    Service found =
        cluster.call(
            "read service/" + name,
            () ->
                cluster.client().services().inNamespace(cluster.namespace()).withName(name).get());
    return found != null
        ? List.of()
        : List.of(
            "the maintenance Service "
                + name
                + " does not exist in namespace "
                + cluster.namespace()
                + ": users would get errors instead of the maintenance page (install"
                + " maintenance-page/ or fix --maintenance-backend)");
  }

  /** Puts back exactly what {@code record} holds; returns the changed object. */
  static HasMetadata restore(Cluster cluster, MaintenanceRecord record) {
    return switch (record.mode()) {
      case "configmap" -> ConfigMapKey.restore(cluster, record);
      case "service" -> ServiceSelector.restore(cluster, record);
      case "ingress" -> IngressBackends.restore(cluster, record);
      case "httproute" -> HttpRouteBackends.restore(cluster, record);
      default ->
          throw PitstopException.failed(
              "the run record names an unknown maintenance mode '" + record.mode() + "'");
    };
  }

  private static <T extends HasMetadata> T require(
      Cluster cluster, Resource<T> resource, String what) {
    T object = cluster.call("read " + what, resource::get);
    if (object == null) {
      throw PitstopException.usage(
          what
              + " does not exist in namespace "
              + cluster.namespace()
              + ": create it or fix the name");
    }
    return object;
  }

  /** {@code configmap} mode: set a key the app reads. */
  record ConfigMapKey(String name, String key, String value) implements MaintenanceTarget {
    private static Resource<ConfigMap> resource(Cluster cluster, String name) {
      return cluster.client().configMaps().inNamespace(cluster.namespace()).withName(name);
    }

    @Override
    public MaintenanceRecord capture(Cluster cluster) {
      ConfigMap current = require(cluster, resource(cluster, name), "configmap/" + name);
      String original = current.getData() == null ? null : current.getData().get(key);
      JsonNode node =
          original == null
              ? JsonNodeFactory.instance.nullNode()
              : JsonNodeFactory.instance.textNode(original);
      return new MaintenanceRecord("configmap", name, key, node, true);
    }

    @Override
    public HasMetadata switchOn(Cluster cluster) {
      return cluster.update(
          "set " + describe(),
          resource(cluster, name),
          cm -> {
            Map<String, String> data = cm.getData() == null ? new LinkedHashMap<>() : cm.getData();
            data.put(key, value);
            cm.setData(data);
            return cm;
          });
    }

    static HasMetadata restore(Cluster cluster, MaintenanceRecord record) {
      return cluster.update(
          "restore configmap/" + record.target(),
          resource(cluster, record.target()),
          cm -> {
            Map<String, String> data = cm.getData() == null ? new LinkedHashMap<>() : cm.getData();
            if (record.original() == null || record.original().isNull()) {
              data.remove(record.key());
            } else {
              data.put(record.key(), record.original().asText());
            }
            cm.setData(data);
            return cm;
          });
    }

    @Override
    public String describe() {
      return "configmap/" + name + " key " + key + "=" + value;
    }
  }

  /** {@code service} mode: swap a Service's selector to the maintenance pods. */
  record ServiceSelector(String name, Map<String, String> maintenanceSelector)
      implements MaintenanceTarget {
    private static Resource<Service> resource(Cluster cluster, String name) {
      return cluster.client().services().inNamespace(cluster.namespace()).withName(name);
    }

    @Override
    public MaintenanceRecord capture(Cluster cluster) {
      Service current = require(cluster, resource(cluster, name), "service/" + name);
      Map<String, String> selector = current.getSpec().getSelector();
      return new MaintenanceRecord(
          "service", name, null, Json.toNode(selector == null ? Map.of() : selector), true);
    }

    @Override
    public HasMetadata switchOn(Cluster cluster) {
      return cluster.update(
          "switch " + describe(),
          resource(cluster, name),
          svc -> {
            svc.getSpec().setSelector(new LinkedHashMap<>(maintenanceSelector));
            return svc;
          });
    }

    static HasMetadata restore(Cluster cluster, MaintenanceRecord record) {
      Map<String, String> original = new LinkedHashMap<>();
      record
          .original()
          .fields()
          .forEachRemaining(e -> original.put(e.getKey(), e.getValue().asText()));
      return cluster.update(
          "restore service/" + record.target(),
          resource(cluster, record.target()),
          svc -> {
            svc.getSpec().setSelector(original);
            return svc;
          });
    }

    @Override
    public String describe() {
      return "service/" + name + " selector " + maintenanceSelector;
    }

    @Override
    public List<String> concerns(Cluster cluster) {
      int pods =
          cluster.call(
              "list the pods of the maintenance selector",
              () -> cluster.podObjects().withLabels(maintenanceSelector).list().getItems().size());
      return pods > 0
          ? List.of()
          : List.of(
              "no pod in namespace "
                  + cluster.namespace()
                  + " matches the maintenance selector "
                  + maintenanceSelector
                  + ": service/"
                  + name
                  + " would have no endpoint and users would get errors (install"
                  + " maintenance-page/ or fix --maintenance-selector)");
    }
  }

  /** {@code ingress} mode: point every backend of an Ingress at a maintenance Service. */
  record IngressBackends(String name, String service, String port) implements MaintenanceTarget {
    private static Resource<Ingress> resource(Cluster cluster, String name) {
      return cluster
          .client()
          .network()
          .v1()
          .ingresses()
          .inNamespace(cluster.namespace())
          .withName(name);
    }

    /**
     * Records {@code defaultBackend} and every path's backend by position, so off puts each one
     * back where it was.
     */
    @Override
    public MaintenanceRecord capture(Cluster cluster) {
      Ingress current = require(cluster, resource(cluster, name), "ingress/" + name);
      ObjectNode original = JsonNodeFactory.instance.objectNode();
      IngressBackend defaultBackend = current.getSpec().getDefaultBackend();
      original.set(
          "defaultBackend",
          defaultBackend == null ? null : Json.mapper().valueToTree(defaultBackend));
      ArrayNode paths = original.putArray("paths");
      forEachPath(
          current,
          (rule, index, path) -> {
            ObjectNode entry = paths.addObject();
            entry.put("rule", rule);
            entry.put("path", index);
            entry.set("backend", Json.mapper().valueToTree(path.getBackend()));
          });
      if (defaultBackend == null && paths.isEmpty()) {
        throw PitstopException.usage("ingress/" + name + " has no backends to switch");
      }
      return new MaintenanceRecord("ingress", name, null, original, true);
    }

    @Override
    public HasMetadata switchOn(Cluster cluster) {
      return cluster.update(
          "switch " + describe(),
          resource(cluster, name),
          ingress -> {
            if (ingress.getSpec().getDefaultBackend() != null) {
              ingress.getSpec().setDefaultBackend(maintenanceBackend());
            }
            forEachPath(ingress, (rule, index, path) -> path.setBackend(maintenanceBackend()));
            return ingress;
          });
    }

    private IngressBackend maintenanceBackend() {
      IngressBackendBuilder builder = new IngressBackendBuilder();
      if (port.chars().allMatch(Character::isDigit)) {
        return builder
            .withNewService()
            .withName(service)
            .withNewPort()
            .withNumber(Integer.parseInt(port))
            .endPort()
            .endService()
            .build();
      }
      return builder
          .withNewService()
          .withName(service)
          .withNewPort()
          .withName(port)
          .endPort()
          .endService()
          .build();
    }

    static HasMetadata restore(Cluster cluster, MaintenanceRecord record) {
      JsonNode original = record.original();
      List<JsonNode> paths = new ArrayList<>();
      original.path("paths").forEach(paths::add);
      return cluster.update(
          "restore ingress/" + record.target(),
          resource(cluster, record.target()),
          ingress -> {
            JsonNode defaultBackend = original.get("defaultBackend");
            ingress
                .getSpec()
                .setDefaultBackend(
                    defaultBackend == null || defaultBackend.isNull()
                        ? null
                        : Json.mapper().convertValue(defaultBackend, IngressBackend.class));
            int[] seen = {0};
            forEachPath(
                ingress,
                (rule, index, path) -> {
                  JsonNode entry = seen[0] < paths.size() ? paths.get(seen[0]) : null;
                  if (entry == null
                      || entry.get("rule").asInt() != rule
                      || entry.get("path").asInt() != index) {
                    throw PitstopException.failed(
                        "ingress/"
                            + record.target()
                            + " no longer has the rules and paths it had when"
                            + " maintenance went on; restore its backends by hand from the run record");
                  }
                  path.setBackend(
                      Json.mapper().convertValue(entry.get("backend"), IngressBackend.class));
                  seen[0]++;
                });
            if (seen[0] != paths.size()) {
              throw PitstopException.failed(
                  "ingress/"
                      + record.target()
                      + " lost paths since maintenance went on; restore its"
                      + " backends by hand from the run record");
            }
            return ingress;
          });
    }

    @Override
    public String describe() {
      return "ingress/" + name + " backends -> " + service + ":" + port;
    }

    @Override
    public List<String> concerns(Cluster cluster) {
      return missingService(cluster, service);
    }

    private interface PathVisitor {
      void visit(int rule, int index, HTTPIngressPath path);
    }

    private static void forEachPath(Ingress ingress, PathVisitor visitor) {
      List<IngressRule> rules = ingress.getSpec().getRules();
      if (rules == null) {
        return;
      }
      for (int r = 0; r < rules.size(); r++) {
        IngressRule rule = rules.get(r);
        if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
          continue;
        }
        List<HTTPIngressPath> paths = rule.getHttp().getPaths();
        for (int p = 0; p < paths.size(); p++) {
          visitor.visit(r, p, paths.get(p));
        }
      }
    }
  }

  /**
   * {@code httproute} mode: point every {@code backendRefs} entry of a Gateway API HTTPRoute at a
   * maintenance Service. HTTPRoute is a CRD, so the route is read and written as raw JSON: what is
   * recorded and put back is exactly what the API held, fields Pitstop does not know included.
   */
  record HttpRouteBackends(String name, String service, int port) implements MaintenanceTarget {
    static final String API_VERSION = "gateway.networking.k8s.io/v1";
    static final String KIND = "HTTPRoute";
    private static final ResourceDefinitionContext ROUTES =
        Cluster.namespacedApi("gateway.networking.k8s.io", "v1", KIND, "httproutes");

    private static MixedOperation<GenericKubernetesResource, ?, Resource<GenericKubernetesResource>>
        routes(Cluster cluster) {
      return cluster.client().genericKubernetesResources(ROUTES);
    }

    /**
     * The route, or a usage error that says whether the Gateway API itself is missing from the
     * cluster or only this route.
     */
    private static GenericKubernetesResource require(Cluster cluster, String name) {
      GenericKubernetesResource route =
          cluster.call(
              "read httproute/" + name,
              () -> routes(cluster).inNamespace(cluster.namespace()).withName(name).get());
      if (route != null) {
        return route;
      }
      boolean installed =
          cluster.call(
              "look up the Gateway API", () -> cluster.client().supports(API_VERSION, KIND));
      if (!installed) {
        throw PitstopException.usage(
            "this cluster does not serve the Gateway API ("
                + KIND
                + " "
                + API_VERSION
                + "): install its CRDs, or use --mode ingress or service");
      }
      throw PitstopException.usage(
          "httproute/"
              + name
              + " does not exist in namespace "
              + cluster.namespace()
              + ": create it or fix the name");
    }

    private static ArrayNode rules(JsonNode route) {
      JsonNode rules = route.path("spec").path("rules");
      return rules.isArray() ? (ArrayNode) rules : JsonNodeFactory.instance.arrayNode();
    }

    /**
     * Records each rule's {@code backendRefs} list by rule position; rules without backends (a
     * redirect, say) are left alone and not recorded.
     */
    @Override
    public MaintenanceRecord capture(Cluster cluster) {
      JsonNode route = Json.mapper().valueToTree(require(cluster, name));
      ObjectNode original = JsonNodeFactory.instance.objectNode();
      ArrayNode recorded = original.putArray("rules");
      ArrayNode rules = rules(route);
      for (int r = 0; r < rules.size(); r++) {
        JsonNode backendRefs = rules.get(r).get("backendRefs");
        if (backendRefs != null && backendRefs.isArray() && !backendRefs.isEmpty()) {
          ObjectNode entry = recorded.addObject();
          entry.put("rule", r);
          entry.set("backendRefs", backendRefs.deepCopy());
        }
      }
      if (recorded.isEmpty()) {
        throw PitstopException.usage("httproute/" + name + " has no backendRefs to switch");
      }
      original.put("ruleCount", rules.size());
      return new MaintenanceRecord("httproute", name, null, original, true);
    }

    /**
     * Every entry becomes a plain reference to the maintenance Service in the route's namespace: no
     * weight (so each gets traffic), no cross-namespace reference, no per-backend filters.
     */
    @Override
    public HasMetadata switchOn(Cluster cluster) {
      return update(
          cluster,
          "switch " + describe(),
          name,
          route -> {
            for (JsonNode rule : rules(route)) {
              JsonNode backendRefs = rule.get("backendRefs");
              if (backendRefs == null || !backendRefs.isArray()) {
                continue;
              }
              ArrayNode refs = (ArrayNode) backendRefs;
              for (int i = 0; i < refs.size(); i++) {
                refs.set(i, maintenanceRef());
              }
            }
          });
    }

    private ObjectNode maintenanceRef() {
      ObjectNode ref = JsonNodeFactory.instance.objectNode();
      ref.put("name", service);
      ref.put("port", port);
      return ref;
    }

    static HasMetadata restore(Cluster cluster, MaintenanceRecord record) {
      JsonNode original = record.original();
      return update(
          cluster,
          "restore httproute/" + record.target(),
          record.target(),
          route -> {
            ArrayNode rules = rules(route);
            if (rules.size() != original.path("ruleCount").asInt(-1)) {
              throw changedSince(record);
            }
            for (JsonNode entry : original.path("rules")) {
              JsonNode rule = rules.get(entry.path("rule").asInt());
              JsonNode now = rule.get("backendRefs");
              JsonNode before = entry.get("backendRefs");
              if (now == null || !now.isArray() || now.size() != before.size()) {
                throw changedSince(record);
              }
              ((ObjectNode) rule).set("backendRefs", before.deepCopy());
            }
          });
    }

    private static PitstopException changedSince(MaintenanceRecord record) {
      return PitstopException.failed(
          "httproute/"
              + record.target()
              + " no longer has the rules and backends it had when maintenance went on;"
              + " restore its backendRefs by hand from the run record");
    }

    /** Read, change, write back at the read resourceVersion; a 409 is retried on a fresh copy. */
    private static HasMetadata update(
        Cluster cluster, String what, String name, java.util.function.Consumer<JsonNode> change) {
      return cluster.call(
          what,
          () -> {
            GenericKubernetesResource current =
                routes(cluster).inNamespace(cluster.namespace()).withName(name).get();
            if (current == null) {
              throw PitstopException.usage(what + ": the object no longer exists");
            }
            JsonNode route = Json.mapper().valueToTree(current);
            change.accept(route);
            GenericKubernetesResource changed =
                Json.mapper().treeToValue(route, GenericKubernetesResource.class);
            return routes(cluster).inNamespace(cluster.namespace()).resource(changed).update();
          });
    }

    @Override
    public String describe() {
      return "httproute/" + name + " backendRefs -> " + service + ":" + port;
    }

    @Override
    public List<String> concerns(Cluster cluster) {
      return missingService(cluster, service);
    }
  }
}
