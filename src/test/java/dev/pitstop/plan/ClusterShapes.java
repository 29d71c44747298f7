package dev.pitstop.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.demo.SampleApp;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Objects as real clusters have them, for {@code pitstop plan}'s tests: apps configured the Spring
 * Boot, Quarkus, Heroku, libpq, CloudNativePG and Crunchy ways, and the CRDs of Argo CD, KEDA and
 * Flux. The database is reached through ExternalName Services that name the test's PostgreSQL host,
 * as a cluster would reach a managed database.
 */
final class ClusterShapes {
  static final String NS = "shop";

  private final KubernetesClient client;
  private final int port;

  ClusterShapes(KubernetesClient client, int port) {
    this.client = client;
    this.port = port;
  }

  /** Service {@code name} of {@code namespace}: an ExternalName for the test database's host. */
  ClusterShapes databaseService(String namespace, String name) {
    client
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withType("ExternalName")
                .withExternalName("localhost")
                .endSpec()
                .build())
        .create();
    return this;
  }

  String url(String host, String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  int port() {
    return port;
  }

  static EnvVar env(String name, String value) {
    return new EnvVar(name, value, null);
  }

  static EnvVar fromSecret(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  /** A Deployment of one container with {@code env}, labelled app=NAME. */
  ClusterShapes deployment(String namespace, String name, EnvVar... env) {
    client.apps().deployments().inNamespace(namespace).resource(app(name, env)).create();
    return this;
  }

  static Deployment app(String name, EnvVar... env) {
    Deployment deployment = SampleApp.deployment(name, 1, name + ":1.0");
    deployment.getMetadata().setLabels(Map.of("app", name));
    deployment.getSpec().getSelector().setMatchLabels(Map.of("app", name));
    deployment.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", name));
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    container.setEnv(new ArrayList<>(List.of(env)));
    return deployment;
  }

  /**
   * Runs an edit again when the simulated controllers wrote the object between its read and its
   * write (409): an edit carries the resourceVersion it read.
   */
  private static void whileConflicting(Runnable edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        edit.run();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Adds env to the sample app's web Deployment. */
  ClusterShapes webEnv(EnvVar... env) {
    whileConflicting(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("web")
                .edit(
                    web -> {
                      web.getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .setEnv(new ArrayList<>(List.of(env)));
                      return web;
                    }));
    return this;
  }

  /** The sample app's worker takes every key of ConfigMap {@code name} as a variable. */
  ClusterShapes workerEnvFrom(String configMap, Map<String, String> data) {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(configMap)
                .endMetadata()
                .withData(data)
                .build())
        .create();
    whileConflicting(
        () ->
            client
                .apps()
                .statefulSets()
                .inNamespace(NS)
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
                              new ArrayList<>(
                                  List.of(
                                      new EnvFromSourceBuilder()
                                          .withNewConfigMapRef()
                                          .withName(configMap)
                                          .endConfigMapRef()
                                          .build())));
                      return worker;
                    }));
    return this;
  }

  /** A Deployment that mounts ConfigMap {@code configMap} holding one file. */
  ClusterShapes deploymentWithConfigFile(
      String name, String configMap, String file, String content) {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(configMap)
                .endMetadata()
                .addToData(file, content)
                .build())
        .create();
    Deployment deployment = app(name);
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .setVolumes(
            new ArrayList<>(
                List.of(
                    new VolumeBuilder()
                        .withName("config")
                        .withNewConfigMap()
                        .withName(configMap)
                        .endConfigMap()
                        .build())));
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setVolumeMounts(
            new ArrayList<>(
                List.of(
                    new VolumeMountBuilder().withName("config").withMountPath("/config").build())));
    client.apps().deployments().inNamespace(NS).resource(deployment).create();
    return this;
  }

  /** A Deployment whose variables all come from Secret {@code secret} (envFrom). */
  ClusterShapes deploymentWithEnvFromSecret(String name, String secret) {
    Deployment deployment = app(name);
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setEnvFrom(
            new ArrayList<>(
                List.of(
                    new EnvFromSourceBuilder()
                        .withNewSecretRef()
                        .withName(secret)
                        .endSecretRef()
                        .build())));
    client.apps().deployments().inNamespace(NS).resource(deployment).create();
    return this;
  }

  ClusterShapes secret(String name, Map<String, String> data) {
    Map<String, String> encoded = new java.util.LinkedHashMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withData(encoded)
                .build())
        .create();
    return this;
  }

  /**
   * The Secret CloudNativePG makes for cluster {@code cluster}'s app user: its keys and the form of
   * each value, the password in the URIs included.
   */
  ClusterShapes cloudNativePgSecret(String cluster, String database, String password) {
    String host = cluster + "-rw";
    return secret(
        cluster + "-app",
        Map.of(
            "username",
            "app",
            "password",
            password,
            "host",
            host,
            "port",
            String.valueOf(port),
            "dbname",
            database,
            "pgpass",
            host + ":" + port + ":" + database + ":app:" + password,
            "uri",
            "postgresql://app:" + password + "@" + host + "." + NS + ":" + port + "/" + database,
            "jdbc-uri",
            "jdbc:postgresql://"
                + host
                + "."
                + NS
                + ":"
                + port
                + "/"
                + database
                + "?password="
                + password
                + "&user=app"));
  }

  /** The Secret Crunchy PGO makes for user {@code user} of cluster {@code cluster}. */
  ClusterShapes crunchySecret(String cluster, String user, String database, String password) {
    String host = cluster + "-primary." + NS + ".svc";
    return secret(
        cluster + "-pguser-" + user,
        Map.of(
            "user", user,
            "password", password,
            "host", host,
            "port", String.valueOf(port),
            "dbname", database,
            "uri",
                "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/" + database,
            "jdbc-uri",
                "jdbc:postgresql://"
                    + host
                    + ":"
                    + port
                    + "/"
                    + database
                    + "?password="
                    + password
                    + "&user="
                    + user));
  }

  /** A CronJob of the app whose job reads {@code env}. */
  ClusterShapes cronJob(String name, EnvVar... env) {
    CronJob cronJob = SampleApp.cronJob(name, null);
    cronJob
        .getSpec()
        .getJobTemplate()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setEnv(new ArrayList<>(List.of(env)));
    client.batch().v1().cronjobs().inNamespace(NS).resource(cronJob).create();
    return this;
  }

  ClusterShapes daemonSet(String name, EnvVar... env) {
    client
        .apps()
        .daemonSets()
        .inNamespace(NS)
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName(name)
                .withImage(name + ":1.0")
                .withEnv(env)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    return this;
  }

  /** Registers a CRD so discovery serves the kind. */
  void crd(ResourceDefinitionContext kind) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(kind.getPlural() + "." + kind.getGroup())
                .endMetadata()
                .withNewSpec()
                .withGroup(kind.getGroup())
                .withScope("Namespaced")
                .withNewNames()
                .withKind(kind.getKind())
                .withPlural(kind.getPlural())
                .withSingular(kind.getKind().toLowerCase(java.util.Locale.ROOT))
                .withListKind(kind.getKind() + "List")
                .endNames()
                .addNewVersion()
                .withName(kind.getVersion())
                .withServed(true)
                .withStorage(true)
                .endVersion()
                .endSpec()
                .build())
        .create();
  }

  /** Creates a custom object from its JSON. */
  void create(ResourceDefinitionContext kind, String namespace, String json) {
    try {
      client
          .genericKubernetesResources(kind)
          .inNamespace(namespace)
          .resource(new ObjectMapper().readValue(json, GenericKubernetesResource.class))
          .create();
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
