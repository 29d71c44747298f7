package dev.pitstop.testing;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records every request a client sends as the RBAC rule it needs: (API group, resource, verb,
 * namespace). Subresources are written {@code resource/subresource}, as in a Role.
 */
public final class RequestRecorder implements Interceptor {
  /** One RBAC-relevant request. */
  public record Access(String group, String resource, String verb, String namespace) {
    @Override
    public String toString() {
      return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb + " in " + namespace;
    }
  }

  private final Map<Access, AtomicInteger> seen = new ConcurrentHashMap<>();

  public Set<Access> seen() {
    return Set.copyOf(seen.keySet());
  }

  /** How many requests of that (group, resource, verb) were sent, in any namespace. */
  public int count(String group, String resource, String verb) {
    return seen.entrySet().stream()
        .filter(e -> e.getKey().group().equals(group))
        .filter(e -> e.getKey().resource().equals(resource))
        .filter(e -> e.getKey().verb().equals(verb))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  /** Forgets what was recorded so far. */
  public void clear() {
    seen.clear();
  }

  /** A client for the in-memory server whose every request is recorded here. */
  public KubernetesClient clientFor(KubernetesMockServer server) {
    try (KubernetesClient template = server.createClient()) {
      return new KubernetesClientBuilder()
          .withConfig(
              new ConfigBuilder(template.getConfiguration())
                  .withRequestRetryBackoffLimit(0)
                  .build())
          .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("rbac", this))
          .build();
    }
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String[] parts = request.uri().getPath().replaceFirst("^/", "").split("/");
    int index;
    String group;
    if (parts[0].equals("api")) {
      group = "";
      index = 2;
    } else if (parts[0].equals("apis")) {
      group = parts[1];
      index = 3;
    } else {
      return;
    }
    String namespace = "(cluster)";
    if (parts.length > index + 1 && parts[index].equals("namespaces")) {
      namespace = parts[index + 1];
      index += 2;
    }
    if (parts.length <= index) {
      return;
    }
    String resource = parts[index];
    boolean named = parts.length > index + 1;
    if (parts.length > index + 2) {
      resource = resource + "/" + parts[index + 2];
    }
    String query = request.uri().getQuery() == null ? "" : request.uri().getQuery();
    String verb =
        switch (request.method()) {
          case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> request.method().toLowerCase(java.util.Locale.ROOT);
        };
    seen.computeIfAbsent(new Access(group, resource, verb, namespace), a -> new AtomicInteger())
        .incrementAndGet();
  }
}
