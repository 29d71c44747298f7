package dev.pitstop.plan;

import dev.pitstop.plan.ConnectionStrings.HostPort;
import dev.pitstop.plan.ConnectionStrings.Reference;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The database a plan is about, and whether a reference found in a workload points at it.
 *
 * <p>Inside a cluster one Service has many names: {@code db} from its own namespace, {@code
 * db.shop}, {@code db.shop.svc}, {@code db.shop.svc.cluster.local}, its ClusterIP, and an
 * ExternalName Service is another name for the host it names. Each host is turned into the set of
 * these identities (Services of the plan's namespace followed), and two hosts are the same when the
 * sets meet. {@code db.billing} is not {@code db} of namespace {@code shop}.
 */
final class DatabaseTarget {
  static final int DEFAULT_PORT = 5432;

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** What the plan knows of a Service of its namespace: its type, ExternalName and ClusterIP. */
  record ServiceInfo(String name, String type, String externalName, String clusterIp) {
    static ServiceInfo of(GenericKubernetesResource service) {
      return new ServiceInfo(
          service.getMetadata().getName(),
          service.get("spec", "type") instanceof String t ? t : "ClusterIP",
          service.get("spec", "externalName") instanceof String e
              ? e.toLowerCase(Locale.ROOT).replaceAll("\\.$", "")
              : null,
          service.get("spec", "clusterIP") instanceof String ip && !ip.equals("None") ? ip : null);
    }
  }

  private final String namespace;
  private final Map<String, ServiceInfo> services;
  private final List<HostPort> hosts;
  private final String database;
  private final String shown;
  private final Set<String> identities = new LinkedHashSet<>();

  /**
   * @param url the database's JDBC URL, without a password
   * @param namespace where short names are resolved (the app's namespace)
   * @param services the Services of that namespace by name
   */
  DatabaseTarget(String url, String namespace, Map<String, ServiceInfo> services) {
    this.namespace = namespace;
    this.services = services;
    List<Reference> parsed = ConnectionStrings.find(url);
    Reference reference =
        parsed.isEmpty()
            ? new Reference(List.of(new HostPort("localhost", null)), null, url)
            : parsed.get(0);
    this.hosts =
        reference.hosts().isEmpty() ? List.of(new HostPort("localhost", null)) : reference.hosts();
    this.database = reference.database();
    this.shown = reference.shown();
    for (HostPort host : hosts) {
      identities.addAll(identitiesOf(host.host()));
    }
  }

  String database() {
    return database;
  }

  String shown() {
    return shown;
  }

  /** The port of the first host, as the URL gives it or the default. */
  int port() {
    Integer port = hosts.get(0).port();
    return port == null ? DEFAULT_PORT : port;
  }

  /** Whether {@code host}:{@code port} (port null: the default) is this database's server. */
  boolean sameServer(String host, Integer port) {
    if (host == null || host.isBlank() || host.contains("$(") || host.contains("${")) {
      return false;
    }
    int wanted = port == null ? DEFAULT_PORT : port;
    for (HostPort mine : hosts) {
      int myPort = mine.port() == null ? DEFAULT_PORT : mine.port();
      if (myPort != wanted) {
        continue;
      }
      Set<String> theirs = identitiesOf(host);
      theirs.retainAll(identitiesOf(mine.host()));
      if (!theirs.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The name of the operator-managed cluster this database's Service belongs to, when its name
   * follows CloudNativePG ({@code <cluster>-rw}, {@code -ro}, {@code -r}) or Crunchy PGO ({@code
   * <cluster>-primary}, {@code -replicas}, {@code -pgbouncer}, {@code -ha}); their Secrets carry
   * the cluster's name.
   */
  Optional<String> operatorCluster() {
    for (String identity : identities) {
      if (!identity.startsWith("svc:" + namespace + "/")) {
        continue;
      }
      String name = identity.substring(("svc:" + namespace + "/").length());
      for (String suffix :
          List.of("-rw", "-ro", "-r", "-primary", "-replicas", "-pgbouncer", "-ha")) {
        if (name.endsWith(suffix) && name.length() > suffix.length()) {
          return Optional.of(name.substring(0, name.length() - suffix.length()));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a Secret's name is one the PostgreSQL operators make for this database's cluster:
   * CloudNativePG's {@code <cluster>-app} and {@code <cluster>-superuser}, Crunchy PGO's {@code
   * <cluster>-pguser-<user>}.
   */
  boolean isOperatorSecret(String secret) {
    return operatorCluster()
        .map(
            cluster ->
                secret.equals(cluster + "-app")
                    || secret.equals(cluster + "-superuser")
                    || secret.startsWith(cluster + "-pguser-"))
        .orElse(false);
  }

  Set<String> identitiesOf(String host) {
    Set<String> ids = new LinkedHashSet<>();
    collect(host, ids, 0);
    return ids;
  }

  private void collect(String host, Set<String> ids, int depth) {
    if (host == null || depth > 4) {
      return;
    }
    String lower = host.toLowerCase(Locale.ROOT).strip();
    String h = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    if (h.isEmpty()) {
      return;
    }
    if (IPV4.matcher(h).matches() || h.contains(":")) {
      if (ids.add("ip:" + h)) {
        services.values().stream()
            .filter(s -> h.equals(s.clusterIp()))
            .forEach(s -> ids.add("svc:" + namespace + "/" + s.name()));
      }
      return;
    }
    if (h.equals("localhost")) {
      ids.add("ip:127.0.0.1");
      ids.add("host:localhost");
      externalNamesOf(h, ids);
      return;
    }
    String[] labels = h.split("\\.");
    String service = null;
    String serviceNamespace = null;
    int svc = List.of(labels).indexOf("svc");
    if (svc >= 2) {
      service = labels[svc - 2];
      serviceNamespace = labels[svc - 1];
    } else if (labels.length == 1) {
      service = h;
      serviceNamespace = namespace;
    } else if (labels.length == 2) {
      // a search domain makes db.billing the Service db of namespace billing; it may also be a
      // host outside the cluster, so both count
      service = labels[0];
      serviceNamespace = labels[1];
      ids.add("host:" + h);
    } else {
      ids.add("host:" + h);
    }
    if (service != null && ids.add("svc:" + serviceNamespace + "/" + service)) {
      if (serviceNamespace.equals(namespace) && services.containsKey(service)) {
        ServiceInfo info = services.get(service);
        if ("ExternalName".equals(info.type()) && info.externalName() != null) {
          collect(info.externalName(), ids, depth + 1);
        }
        if (info.clusterIp() != null) {
          ids.add("ip:" + info.clusterIp());
        }
      }
    }
    if (ids.contains("host:" + h)) {
      externalNamesOf(h, ids);
    }
  }

  /** The Services of the namespace that are ExternalNames for {@code host}. */
  private void externalNamesOf(String host, Set<String> ids) {
    services.values().stream()
        .filter(s -> "ExternalName".equals(s.type()) && host.equals(s.externalName()))
        .forEach(s -> ids.add("svc:" + namespace + "/" + s.name()));
  }
}
