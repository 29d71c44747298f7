package dev.pitstop.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The shipped files under {@code workflow-templates/}, parsed. */
final class WorkflowFiles {
  static final Path ROOT = Path.of("workflow-templates");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One YAML document of one file. */
  record Document(Path file, JsonNode node) {
    String kind() {
      return node.path("kind").asText();
    }

    String name() {
      return node.path("metadata").path("name").asText();
    }

    boolean isArgo() {
      return node.path("apiVersion").asText().equals("argoproj.io/v1alpha1");
    }

    @Override
    public String toString() {
      return file + " " + kind() + " " + name();
    }
  }

  private WorkflowFiles() {}

  static List<Path> yamlFiles() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Document> documents() {
    List<Document> documents = new ArrayList<>();
    for (Path file : yamlFiles()) {
      try (var parser = YAML.getFactory().createParser(file.toFile())) {
        for (JsonNode node : YAML.readValues(parser, JsonNode.class).readAll()) {
          if (node != null && !node.isMissingNode() && !node.isNull()) {
            documents.add(new Document(file, node));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot parse " + file, e);
      }
    }
    return documents;
  }

  /** Every Argo object: WorkflowTemplates and example Workflows. */
  static List<Document> argoDocuments() {
    return documents().stream().filter(Document::isArgo).toList();
  }

  static Document workflowTemplate(String name) {
    return argoDocuments().stream()
        .filter(d -> d.kind().equals("WorkflowTemplate") && d.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no WorkflowTemplate " + name));
  }

  static List<JsonNode> templates(JsonNode document) {
    List<JsonNode> templates = new ArrayList<>();
    document.path("spec").path("templates").forEach(templates::add);
    return templates;
  }

  static Optional<JsonNode> template(JsonNode document, String name) {
    return templates(document).stream()
        .filter(t -> t.path("name").asText().equals(name))
        .findFirst();
  }

  /** The steps of a steps template, in order, groups flattened. */
  static List<JsonNode> steps(JsonNode template) {
    List<JsonNode> steps = new ArrayList<>();
    template.path("steps").forEach(group -> group.forEach(steps::add));
    return steps;
  }

  /** The DAG tasks and steps of every template that calls other templates. */
  static List<JsonNode> calls(JsonNode document) {
    List<JsonNode> calls = new ArrayList<>();
    for (JsonNode template : templates(document)) {
      template.path("dag").path("tasks").forEach(calls::add);
      calls.addAll(steps(template));
    }
    return calls;
  }

  /** The environment variable of a container with that name. */
  static Optional<JsonNode> findEnv(JsonNode container, String name) {
    for (JsonNode variable : container.path("env")) {
      if (variable.path("name").asText().equals(name)) {
        return Optional.of(variable);
      }
    }
    return Optional.empty();
  }

  /**
   * The ClusterWorkflowTemplate the {@code cluster/} component makes of a WorkflowTemplate: the
   * kind replaced and, for the migration and the fleet, the JSON patch of their references applied.
   */
  static JsonNode clusterVariant(Document document) throws IOException {
    ObjectNode copy = document.node().deepCopy();
    copy.put("kind", "ClusterWorkflowTemplate");
    String patchFile =
        switch (document.name()) {
          case "pitstop-migration" -> "cluster/templateref-cluster-scope.yaml";
          case "pitstop-fleet" -> "cluster/fleet-cluster-scope.yaml";
          default -> null;
        };
    if (patchFile != null) {
      JsonNode patch = YAML.readTree(ROOT.resolve(patchFile).toFile());
      for (JsonNode op : patch) {
        String path = op.path("path").asText();
        int last = path.lastIndexOf('/');
        JsonNode parent = copy.at(path.substring(0, last));
        if (!parent.isObject()) {
          throw new AssertionError("patch path " + path + " does not exist in " + document.name());
        }
        ((ObjectNode) parent).set(path.substring(last + 1), op.path("value"));
      }
    }
    return copy;
  }
}
