package dev.pitstop.demo;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** A small app in the in-memory cluster: what Pitstop's tests migrate. */
public final class SampleApp {
  private SampleApp() {}

  public static Deployment deployment(String name, int replicas, String image) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", "shop")
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("app", "shop")
        .addToMatchLabels("component", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", "shop")
        .addToLabels("component", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName(name)
        .withImage(image)
        .endContainer()
        .addNewContainer()
        .withName("sidecar")
        .withImage("proxy:1.0")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  public static StatefulSet statefulSet(String name, int replicas, String image) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", "shop")
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName(name)
        .withNewSelector()
        .addToMatchLabels("app", "shop")
        .addToMatchLabels("component", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", "shop")
        .addToLabels("component", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName(name)
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** A CronJob of the app (label app=shop), suspended or not ({@code null}: unset). */
  public static io.fabric8.kubernetes.api.model.batch.v1.CronJob cronJob(
      String name, Boolean suspend) {
    return new io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", "shop")
        .endMetadata()
        .withNewSpec()
        .withSchedule("*/5 * * * *")
        .withSuspend(suspend)
        .withNewJobTemplate()
        .withNewSpec()
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName(name)
        .withImage(name + ":1.0")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build();
  }

  /** An autoscaler for one of the app's workloads. */
  public static io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa(
      String name, String kind, String target, int minReplicas, int maxReplicas) {
    return new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind(kind)
        .withName(target)
        .endScaleTargetRef()
        .withMinReplicas(minReplicas)
        .withMaxReplicas(maxReplicas)
        .endSpec()
        .build();
  }

  public static ConfigMap settings() {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("shop-settings")
        .endMetadata()
        .addToData("greeting", "hello")
        .build();
  }

  public static Service service() {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("shop-web")
        .endMetadata()
        .withNewSpec()
        .addToSelector("app", "shop")
        .addToSelector("component", "web")
        .addNewPort()
        .withPort(80)
        .endPort()
        .endSpec()
        .build();
  }

  public static Ingress ingress() {
    return new IngressBuilder()
        .withNewMetadata()
        .withName("shop")
        .endMetadata()
        .withNewSpec()
        .withNewDefaultBackend()
        .withNewService()
        .withName("shop-web")
        .withNewPort()
        .withNumber(80)
        .endPort()
        .endService()
        .endDefaultBackend()
        .addNewRule()
        .withHost("shop.example.com")
        .withNewHttp()
        .addNewPath()
        .withPath("/")
        .withPathType("Prefix")
        .withNewBackend()
        .withNewService()
        .withName("shop-web")
        .withNewPort()
        .withName("http")
        .endPort()
        .endService()
        .endBackend()
        .endPath()
        .addNewPath()
        .withPath("/api")
        .withPathType("Prefix")
        .withNewBackend()
        .withNewService()
        .withName("shop-api")
        .withNewPort()
        .withNumber(8080)
        .endPort()
        .endService()
        .endBackend()
        .endPath()
        .endHttp()
        .endRule()
        .endSpec()
        .build();
  }

  /**
   * How the sample app finds its database, written as real manifests write it: web's Spring Boot
   * URL names the Service {@code shop-db} (an ExternalName for the database's host) and web has an
   * HTTP readiness probe; worker takes libpq's {@code PG*} variables from a ConfigMap; and {@code
   * analytics}, another app, uses another database on the same server.
   */
  public static void databaseSettings(
      KubernetesClient client, String namespace, String host, int port) {
    client
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("shop-db")
                .endMetadata()
                .withNewSpec()
                .withType("ExternalName")
                .withExternalName(host)
                .endSpec()
                .build())
        .create();
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName("web")
        .edit(
            web -> {
              web.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(20L);
              var container = web.getSpec().getTemplate().getSpec().getContainers().get(0);
              container.setEnv(
                  new java.util.ArrayList<>(
                      java.util.List.of(
                          new io.fabric8.kubernetes.api.model.EnvVar(
                              "SPRING_DATASOURCE_URL",
                              "jdbc:postgresql://shop-db:" + port + "/shop",
                              null))));
              container.setReadinessProbe(
                  new io.fabric8.kubernetes.api.model.ProbeBuilder()
                      .withNewHttpGet()
                      .withPath("/healthz")
                      .withNewPort(8080)
                      .endHttpGet()
                      .withInitialDelaySeconds(5)
                      .withPeriodSeconds(5)
                      .build());
              return web;
            });
    client
        .configMaps()
        .inNamespace(namespace)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("shop-db-settings")
                .endMetadata()
                .addToData("PGHOST", "shop-db")
                .addToData("PGPORT", String.valueOf(port))
                .addToData("PGDATABASE", "shop")
                .build())
        .create();
    client
        .apps()
        .statefulSets()
        .inNamespace(namespace)
        .withName("worker")
        .edit(
            worker -> {
              worker
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .setEnvFrom(
                      new java.util.ArrayList<>(
                          java.util.List.of(
                              new io.fabric8.kubernetes.api.model.EnvFromSourceBuilder()
                                  .withNewConfigMapRef()
                                  .withName("shop-db-settings")
                                  .endConfigMapRef()
                                  .build())));
              return worker;
            });
    Deployment analytics = deployment("analytics", 1, "analytics:1.0");
    analytics.getMetadata().setLabels(java.util.Map.of("app", "analytics"));
    analytics.getSpec().getSelector().setMatchLabels(java.util.Map.of("app", "analytics"));
    analytics.getSpec().getTemplate().getMetadata().setLabels(java.util.Map.of("app", "analytics"));
    analytics
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setEnv(
            new java.util.ArrayList<>(
                java.util.List.of(
                    new io.fabric8.kubernetes.api.model.EnvVar(
                        "SPRING_DATASOURCE_URL",
                        "jdbc:postgresql://shop-db:" + port + "/analytics",
                        null))));
    client.apps().deployments().inNamespace(namespace).resource(analytics).create();
  }

  /**
   * Creates the whole app: web (3 replicas), worker statefulset (2), settings, Service, Ingress.
   */
  public static void create(KubernetesClient client, String namespace) {
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .resource(deployment("web", 3, "shop:1.0"))
        .create();
    client
        .apps()
        .statefulSets()
        .inNamespace(namespace)
        .resource(statefulSet("worker", 2, "shop-worker:1.0"))
        .create();
    client.configMaps().inNamespace(namespace).resource(settings()).create();
    client.services().inNamespace(namespace).resource(service()).create();
    client.network().v1().ingresses().inNamespace(namespace).resource(ingress()).create();
  }
}
