package dev.pitstop.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.pitstop.workflows.WorkflowFiles.Document;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shipped Argo object is valid against Argo's published JSON schema. */
class ArgoSchemaTest {
  /** Kept beside the project, not in it: the tests skip when it is not there. */
  static final Path SCHEMA =
      Path.of("..", "shared", "schemas", "argo-workflows-v4.1.2.schema.json");

  private static Schema schema;

  @BeforeAll
  static void loadSchema() throws IOException {
    assumeTrue(
        Files.isRegularFile(SCHEMA),
        "Argo's JSON schema is not at " + SCHEMA.toAbsolutePath() + ": schema checks skipped");
    try (InputStream in = Files.newInputStream(SCHEMA)) {
      schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
    }
  }

  static Stream<Document> argoDocuments() {
    return WorkflowFiles.argoDocuments().stream();
  }

  static Stream<Document> workflowTemplates() {
    return argoDocuments().filter(d -> d.kind().equals("WorkflowTemplate"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("argoDocuments")
  void everyArgoObjectMatchesArgosSchema(Document document) {
    assertThat(messages(schema.validate(document.node()))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workflowTemplates")
  void clusterVariantMatchesArgosSchema(Document document) throws IOException {
    assertThat(messages(schema.validate(WorkflowFiles.clusterVariant(document)))).isEmpty();
  }

  @Test
  void schemaRejectsAnIntegerRetryLimitSoTheCheckHasTeeth() {
    JsonNode broken = WorkflowFiles.workflowTemplate("pitstop-steps").node().deepCopy();
    ((ObjectNode) broken.path("spec").path("templates").get(0).path("retryStrategy"))
        .put("limit", 5);
    assertThat(messages(schema.validate(broken))).anyMatch(m -> m.contains("/retryStrategy/limit"));
  }

  /** The field walker's allow-lists name only fields Argo's schema declares at that place. */
  @Test
  void knownFieldsAreFieldsOfArgosSchema() throws IOException {
    JsonNode definitions = WorkflowFiles.YAML.readTree(SCHEMA.toFile()).path("definitions");
    KnownFieldsTest.SCHEMA_DEFINITIONS.forEach(
        (place, definition) -> {
          JsonNode properties = definitions.path(definition).path("properties");
          assertThat(properties.isObject()).as(definition).isTrue();
          for (String key : KnownFieldsTest.KEYS.get(place)) {
            assertThat(properties.has(key)).as(place + "." + key + " in " + definition).isTrue();
          }
        });
  }

  private static List<String> messages(List<Error> errors) {
    return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
  }
}
