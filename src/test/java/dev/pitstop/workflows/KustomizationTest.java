package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `kubectl apply -k workflow-templates/` and the cluster/ component really produce, built by
 * kubectl's own kustomize. Skipped where kubectl is not installed.
 */
class KustomizationTest {
  @TempDir Path dir;

  @BeforeAll
  static void needsKubectl() {
    assumeTrue(kubectlWorks(), "kubectl is not installed: the kustomize builds are skipped");
  }

  private static boolean kubectlWorks() {
    try {
      Process process =
          new ProcessBuilder("kubectl", "version", "--client")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return process.waitFor(1, TimeUnit.MINUTES) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static List<JsonNode> build(Path folder, String... flags)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "kustomize", folder.toString()));
    command.addAll(List.of(flags));
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(err).isZero();
    List<JsonNode> documents = new ArrayList<>();
    try (var parser = WorkflowFiles.YAML.getFactory().createParser(out)) {
      documents.addAll(WorkflowFiles.YAML.readValues(parser, JsonNode.class).readAll());
    }
    return documents;
  }

  private static Map<String, Integer> kinds(List<JsonNode> documents) {
    Map<String, Integer> kinds = new TreeMap<>();
    documents.forEach(d -> kinds.merge(d.path("kind").asText(), 1, Integer::sum));
    return kinds;
  }

  @Test
  void theKustomizationInstallsTheTemplatesTheirRbacAndTheMaintenancePage() throws Exception {
    List<JsonNode> built = build(WorkflowFiles.ROOT);

    assertThat(kinds(built))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "WorkflowTemplate", 3,
                "ServiceAccount", 2,
                "Role", 2,
                "RoleBinding", 2,
                "Deployment", 1,
                "Service", 1));
    for (String name : List.of("pitstop-steps", "pitstop-migration", "pitstop-fleet")) {
      JsonNode installed =
          built.stream()
              .filter(d -> d.path("metadata").path("name").asText().equals(name))
              .filter(d -> d.path("kind").asText().equals("WorkflowTemplate"))
              .findFirst()
              .orElseThrow();
      assertThat(installed.path("spec"))
          .as(name + " is installed as written")
          .isEqualTo(WorkflowFiles.workflowTemplate(name).node().path("spec"));
    }
  }

  /** Included as the README says, from a kustomization of one's own outside the folder. */
  @Test
  void theClusterComponentMakesClusterTemplatesThatCallEachOtherClusterWide() throws Exception {
    // kustomize takes relative paths only
    Path root = dir.toAbsolutePath().relativize(WorkflowFiles.ROOT.toAbsolutePath());
    Files.writeString(
        dir.resolve("kustomization.yaml"),
        String.join(
            "\n",
            "apiVersion: kustomize.config.k8s.io/v1beta1",
            "kind: Kustomization",
            "resources:",
            "  - " + root,
            "components:",
            "  - " + root.resolve("cluster"),
            ""));

    List<JsonNode> built = build(dir, "--load-restrictor", "LoadRestrictionsNone");

    assertThat(kinds(built)).containsEntry("ClusterWorkflowTemplate", 3);
    assertThat(kinds(built)).doesNotContainKey("WorkflowTemplate");
    int calls = 0;
    for (JsonNode template : built) {
      if (!template.path("kind").asText().equals("ClusterWorkflowTemplate")) {
        continue;
      }
      for (JsonNode call : WorkflowFiles.calls(template)) {
        if (call.has("templateRef")) {
          calls++;
          assertThat(call.path("templateRef").path("clusterScope").asBoolean())
              .as(template.path("metadata").path("name").asText() + " " + call.path("name"))
              .isTrue();
        }
      }
      if (template.path("metadata").path("name").asText().equals("pitstop-fleet")) {
        for (JsonNode p : template.path("spec").path("arguments").path("parameters")) {
          if (p.path("name").asText().equals("cluster-scope")) {
            assertThat(p.path("value").asText()).isEqualTo("true");
          }
        }
      }
    }
    assertThat(calls).isEqualTo(13);
  }
}
