package dev.pitstop.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.GatewayApi;
import dev.pitstop.testing.RequestRecorder;
import dev.pitstop.testing.RequestRecorder.Access;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every request the Kubernetes steps send is allowed by the shipped Roles, and the Roles grant
 * nothing the steps do not use — apart from what Argo's executor needs, listed in {@link
 * #EXECUTOR_NEEDS}.
 */
class RbacIT extends ClusterTestBase {
  /** Argo's executor reports each step's outputs through WorkflowTaskResults (not Pitstop). */
  private static final Set<String> EXECUTOR_NEEDS =
      Set.of("argoproj.io workflowtaskresults create", "argoproj.io workflowtaskresults patch");

  private static final List<Path> ROLES =
      List.of(
          Path.of("workflow-templates", "rbac.yaml"), Path.of("tekton-tasks", "rbac", "rbac.yaml"));

  /** What scale-down must keep down: an HPA that could scale from zero, KEDA, a CronJob's Job. */
  private void controllersThatFightAScaleDown() {
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(NS)
        .resource(dev.pitstop.demo.SampleApp.hpa("web", "Deployment", "web", 0, 5))
        .create();
    client
        .genericKubernetesResources(dev.pitstop.kube.Autoscalers.SCALED_OBJECTS)
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion("keda.sh/v1alpha1")
                .withKind("ScaledObject")
                .withNewMetadata()
                .withName("worker")
                .withNamespace(NS)
                .endMetadata()
                .addToAdditionalProperties(
                    "spec",
                    Map.of("scaleTargetRef", Map.of("name", "worker", "kind", "StatefulSet")))
                .build())
        .create();
    io.fabric8.kubernetes.api.model.batch.v1.CronJob report =
        client
            .batch()
            .v1()
            .cronjobs()
            .inNamespace(NS)
            .resource(dev.pitstop.demo.SampleApp.cronJob("report", null))
            .create();
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
                .withNewMetadata()
                .withName("report-1")
                .addNewOwnerReference()
                .withApiVersion("batch/v1")
                .withKind("CronJob")
                .withName("report")
                .withUid(report.getMetadata().getUid())
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("report")
                .withImage("report:1.0")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private Set<Access> exerciseEveryKubernetesStep() {
    controllersThatFightAScaleDown();
    GatewayApi.install(client, NS);
    RequestRecorder recorder = new RequestRecorder();
    CliRunner recorded = new CliRunner(() -> recorder.clientFor(server));
    String[] run = {"--app", "shop", "-n", NS, "--run-id", RUN, "--timeout", "20s"};
    List<String[]> steps =
        List.of(
            step("lock", run),
            step(
                "maintenance-on",
                run,
                "--mode",
                "service",
                "--service",
                "shop-web",
                "--maintenance-selector",
                "app=maintenance"),
            step("maintenance-off", run),
            step(
                "maintenance-on",
                run,
                "--mode",
                "ingress",
                "--ingress",
                "shop",
                "--maintenance-backend",
                "maintenance:80"),
            step("maintenance-off", run),
            step(
                "maintenance-on",
                run,
                "--mode",
                "httproute",
                "--httproute",
                "shop",
                "--maintenance-backend",
                "maintenance:80"),
            step("maintenance-off", run),
            step(
                "maintenance-on",
                run,
                "--mode",
                "configmap",
                "--configmap",
                "shop-settings",
                "--key",
                "maintenance"),
            // first waits for the CronJob's running Job (and gives up), then deletes it
            step(
                "scale-down",
                new String[] {"--app", "shop", "-n", NS, "--run-id", RUN, "--timeout", "2s"},
                "--workload",
                "cronjob/report"),
            step("scale-down", run, "--selector", "app=shop", "--delete-running-jobs"),
            step("status", new String[] {"--app", "shop", "-n", NS}),
            step("scale-up", run, "--image", "web=shop:2.0"),
            step(
                "smoke-test",
                new String[] {
                  "--app",
                  "shop",
                  "-n",
                  NS,
                  "--url",
                  "http://127.0.0.1:1/",
                  "--selector",
                  "app=shop",
                  "--timeout",
                  "1s"
                }),
            step("rollback", run),
            step("maintenance-off", run),
            step("unlock", run));
    for (String[] step : steps) {
      Result result = recorded.run(step);
      assertThat(result.exitCode()).as(String.join(" ", step) + "\n" + result).isIn(0, 1);
    }
    return recorder.seen();
  }

  /** {@code command}, then the run's options, then {@code more}. */
  private static String[] step(String command, String[] run, String... more) {
    return Stream.of(new String[] {command}, run, more).flatMap(Stream::of).toArray(String[]::new);
  }

  /** Every (group, resource, verb) a shipped Role grants. */
  private static Set<String> granted(Path file) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Set<String> rules = new LinkedHashSet<>();
    try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
      for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
        if (!"Role".equals(doc.path("kind").asText())) {
          continue;
        }
        for (JsonNode rule : doc.path("rules")) {
          for (JsonNode group : rule.path("apiGroups")) {
            for (JsonNode resource : rule.path("resources")) {
              for (JsonNode verb : rule.path("verbs")) {
                rules.add(key(group.asText(), resource.asText(), verb.asText()));
              }
            }
          }
        }
      }
    }
    return rules;
  }

  private static String key(String group, String resource, String verb) {
    return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
  }

  @Test
  void theShippedRolesAllowEveryRequestAndNothingMore() throws IOException {
    Set<Access> used = exerciseEveryKubernetesStep();
    Set<String> needed = new LinkedHashSet<>();
    used.forEach(access -> needed.add(key(access.group(), access.resource(), access.verb())));
    assertThat(used).allSatisfy(access -> assertThat(access.namespace()).isEqualTo(NS));

    for (Path file : ROLES) {
      Set<String> rules = granted(file);
      List<String> missing = new ArrayList<>(needed);
      missing.removeAll(rules);
      List<String> unused = new ArrayList<>(rules);
      unused.removeAll(needed);
      unused.removeAll(EXECUTOR_NEEDS);

      assertThat(missing).as(file + " lacks").isEmpty();
      assertThat(unused).as(file + " grants unused " + Map.of("used", needed)).isEmpty();
    }
  }
}
