package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pitstop.plan.Emitted;
import org.junit.jupiter.api.Test;

/**
 * The PipelineRun {@code plan --emit tekton} prints holds only fields Tekton knows, checked by the
 * same field walker as the shipped YAML.
 */
class PlanPipelineRunTest {
  @Test
  void theEmittedPipelineRunHasOnlyFieldsTektonKnows() throws Exception {
    String emitted =
        Emitted.render(
            Emitted.Form.TEKTON,
            java.util.Map.of(
                "app", "shop", "workload", java.util.List.of("deployment/web"), "snapshot", true),
            "shop");
    JsonNode run = new ObjectMapper(new YAMLFactory()).readTree(emitted);

    assertThat(KnownFields.knowsKind("PipelineRun")).isTrue();
    assertThat(KnownFields.unknown("PipelineRun", run)).isEmpty();
  }
}
