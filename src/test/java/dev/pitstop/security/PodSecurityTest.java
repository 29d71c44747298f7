package dev.pitstop.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pitstop.testing.HelmTemplates;
import dev.pitstop.testing.HelmTemplates.Manifest;
import dev.pitstop.testing.ShippedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every container in every shipped Argo and Tekton file, and in the example Helm chart as Helm
 * renders it, runs locked down.
 */
class PodSecurityTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path HELM_CHART = Path.of("examples", "helm-hooks");

  /** A container found in a file, with the path to it for messages. */
  private record Container(String where, JsonNode spec) {}

  private static List<Container> containers() throws IOException {
    List<Container> found = new ArrayList<>();
    for (Path file : ShippedFiles.yaml()) {
      for (String text : Files.readString(file).split("(?m)^---\\s*$")) {
        JsonNode doc = YAML.readTree(text);
        if (doc != null) {
          collect(file.toString(), doc, found);
        }
      }
    }
    for (Manifest manifest :
        HelmTemplates.render(HELM_CHART, new HelmTemplates.Release("shop", "shop", 1))) {
      collect(manifest.template().toString(), manifest.node(), found);
    }
    return found;
  }

  /**
   * Anything with an image is a container, an init container, a sidecar, a Tekton step or a Tekton
   * {@code stepTemplate} (whose settings every step of the Task inherits).
   */
  private static void collect(String where, JsonNode node, List<Container> found) {
    if (node.isObject()) {
      if (node.path("image").isTextual()
          && (node.has("args")
              || node.has("command")
              || node.has("name")
              || node.has("securityContext"))) {
        found.add(new Container(where + " " + node.path("name").asText("(container)"), node));
      }
      node.fields().forEachRemaining(e -> collect(where + "/" + e.getKey(), e.getValue(), found));
    } else if (node.isArray()) {
      node.forEach(child -> collect(where, child, found));
    }
  }

  @Test
  void everyContainerIsNonRootReadOnlyWithoutPrivilegesOrCapabilities() throws IOException {
    List<Container> containers = containers();

    assertThat(containers).hasSizeGreaterThan(20);
    assertThat(containers).anyMatch(c -> c.where().startsWith(HELM_CHART.toString()));
    assertThat(containers)
        .allSatisfy(
            c -> {
              JsonNode security = c.spec().path("securityContext");
              assertThat(security.path("runAsNonRoot").asBoolean()).as(c.where()).isTrue();
              assertThat(security.path("readOnlyRootFilesystem").asBoolean())
                  .as(c.where())
                  .isTrue();
              assertThat(security.path("allowPrivilegeEscalation").asBoolean(true))
                  .as(c.where())
                  .isFalse();
              assertThat(security.path("capabilities").path("drop").toString())
                  .as(c.where())
                  .isEqualTo("[\"ALL\"]");
              assertThat(security.path("seccompProfile").path("type").asText())
                  .as(c.where())
                  .isEqualTo("RuntimeDefault");
            });
  }
}
