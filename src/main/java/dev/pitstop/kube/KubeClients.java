package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.jackson.Jackson2JdkTypesModule;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/** Builds the one Kubernetes client a command uses. */
public final class KubeClients {
  /**
   * The kinds Pitstop reads typed from watch events and lists by their {@code kind}. Deployments,
   * StatefulSets, pods, CronJobs, Jobs and HPAs it reads as JSON maps (see {@link ObjectFields}),
   * as it does HTTPRoute, KEDA and Argo CD objects, so their watch events must not be turned into
   * fabric8's typed model first.
   */
  static final List<Class<? extends KubernetesResource>> KINDS =
      List.of(Status.class, ConfigMap.class, Service.class, Event.class, Ingress.class);

  private KubeClients() {}

  /**
   * A client configured as kubectl would be (in-cluster ServiceAccount, or kubeconfig), with the
   * client's own retries off: Pitstop retries transient failures itself, within {@code --timeout}.
   * No single request outlasts the step's deadline.
   */
  public static KubernetesClient fromEnvironment(Duration stepDeadline) {
    return fromEnvironment(stepDeadline, null, null);
  }

  /**
   * As {@link #fromEnvironment(Duration)}, from {@code kubeconfig} and {@code context} when given
   * (kubectl's {@code --kubeconfig} and {@code --context}). When nothing says where the cluster is
   * — no kubeconfig and no ServiceAccount of a pod — the client's fallback (the in-cluster address,
   * namespace {@code default}) is named, so an unreachable server is not a mystery.
   */
  public static KubernetesClient fromEnvironment(
      Duration stepDeadline, java.nio.file.Path kubeconfig, String context) {
    Config config;
    if (kubeconfig != null) {
      if (!java.nio.file.Files.isReadable(kubeconfig)) {
        throw dev.pitstop.core.PitstopException.usage(
            "--kubeconfig " + kubeconfig + " cannot be read: give the path of a kubeconfig file");
      }
      try {
        config =
            Config.fromKubeconfig(
                context, java.nio.file.Files.readString(kubeconfig), kubeconfig.toString());
      } catch (java.io.IOException | RuntimeException e) {
        throw dev.pitstop.core.PitstopException.usage(
            "--kubeconfig " + kubeconfig + " is not a usable kubeconfig: " + e.getMessage());
      }
    } else {
      config = Config.autoConfigure(context);
      if (!clusterConfigured()) {
        dev.pitstop.core.Progress.current()
            .warn(
                "no kubeconfig (KUBECONFIG, ~/.kube/config) and not in a pod: using "
                    + config.getMasterUrl()
                    + " and namespace "
                    + (config.getNamespace() == null ? "default" : config.getNamespace())
                    + "; give --kubeconfig or -n if that is not meant");
      }
    }
    if (context != null
        && kubeconfig == null
        && config.getCurrentContext() != null
        && !context.equals(config.getCurrentContext().getName())) {
      throw dev.pitstop.core.PitstopException.usage(
          "--context " + context + " is not in the kubeconfig: see `kubectl config get-contexts`");
    }
    return build(withinDeadline(config, stepDeadline));
  }

  private static boolean clusterConfigured() {
    String kubeconfig = System.getenv("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      return true;
    }
    if (System.getenv("KUBERNETES_SERVICE_HOST") != null
        || System.getenv("KUBERNETES_MASTER") != null
        || System.getProperty("kubernetes.master") != null) {
      return true;
    }
    return java.nio.file.Files.exists(
        java.nio.file.Path.of(System.getProperty("user.home"), ".kube", "config"));
  }

  /**
   * {@code config} with the client's retries off and its connect and request timeouts (10 s and 30
   * s) cut to {@code stepDeadline} when that is shorter: a server that accepts a request and never
   * answers must not hold a step past its {@code --timeout}.
   */
  public static Config withinDeadline(Config config, Duration stepDeadline) {
    int limit = (int) Math.max(1, Math.min(Integer.MAX_VALUE, stepDeadline.toMillis()));
    return new ConfigBuilder(config)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(Math.min(10_000, limit))
        .withRequestTimeout(Math.min(30_000, limit))
        .build();
  }

  /**
   * A client for {@code config} that knows only {@link #KINDS}. fabric8's default serialization
   * loads the resource classes of every API group it ships (about 550 more classes in a step) the
   * first time it reads a watch event, which costs a short-lived step a quarter of a second.
   */
  public static KubernetesClient build(Config config) {
    return build(config, http -> {});
  }

  /** As {@link #build(Config)}, with {@code http} applied to the HTTP client's builder. */
  public static KubernetesClient build(Config config, Consumer<HttpClient.Builder> http) {
    KubernetesSerialization serialization =
        new KubernetesSerialization(
            JsonMapper.builderWithJackson2Defaults()
                .addModule(new Jackson2JdkTypesModule())
                .build(),
            false);
    KINDS.forEach(serialization::registerKubernetesResource);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withKubernetesSerialization(serialization)
        .withHttpClientBuilderConsumer(http)
        .build();
  }
}
