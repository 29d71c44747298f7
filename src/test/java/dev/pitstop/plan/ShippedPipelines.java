package dev.pitstop.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The shipped Argo WorkflowTemplate and Tekton Pipeline that {@code plan --emit} targets, read from
 * the YAML as it is now (found by name, wherever the file is), and checks of emitted forms against
 * their real parameters and Argo's published schema.
 */
final class ShippedPipelines {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Argo's schema, kept beside the project; the schema check is skipped when it is not there. */
  static final Path ARGO_SCHEMA =
      Path.of("..", "shared", "schemas", "argo-workflows-v4.1.2.schema.json");

  private ShippedPipelines() {}

  static JsonNode find(Path folder, String kind, String name) {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
          for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
            if (doc != null
                && kind.equals(doc.path("kind").asText())
                && name.equals(doc.path("metadata").path("name").asText())) {
              return doc;
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no " + kind + " " + name + " under " + folder);
  }

  static JsonNode argoTemplate() {
    return find(Path.of("workflow-templates"), "WorkflowTemplate", Emitted.ARGO_TEMPLATE);
  }

  static JsonNode tektonPipeline() {
    return find(Path.of("tekton-tasks"), "Pipeline", Emitted.TEKTON_PIPELINE);
  }

  /** Parameter name to its default (null: required), in the template's order. */
  static Map<String, String> argoParameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    argoTemplate()
        .path("spec")
        .path("arguments")
        .path("parameters")
        .forEach(
            p ->
                parameters.put(
                    p.path("name").asText(), p.has("value") ? p.path("value").asText() : null));
    return parameters;
  }

  /** The template's parameters without a value, or documented as required. */
  static List<String> argoRequired() {
    List<String> required = new ArrayList<>();
    argoTemplate()
        .path("spec")
        .path("arguments")
        .path("parameters")
        .forEach(
            p -> {
              if (!p.has("value") || p.path("description").asText().contains("(required)")) {
                required.add(p.path("name").asText());
              }
            });
    return required;
  }

  static Map<String, String> tektonParameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    tektonPipeline()
        .path("spec")
        .path("params")
        .forEach(
            p ->
                parameters.put(
                    p.path("name").asText(), p.has("default") ? p.path("default").asText() : null));
    return parameters;
  }

  /** The words of a POSIX shell command: quotes, ANSI-C quoting and line continuations. */
  static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (c == '\\' && i + 1 < command.length() && command.charAt(i + 1) == '\n') {
        i++;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        if (c == '$' && i + 1 < command.length() && command.charAt(i + 1) == '\'') {
          for (i += 2; command.charAt(i) != '\''; i++) {
            char q = command.charAt(i);
            if (q == '\\') {
              char e = command.charAt(++i);
              word.append(e == 'n' ? '\n' : e);
            } else {
              word.append(q);
            }
          }
        } else if (c == '\\') {
          word.append(command.charAt(++i));
        } else if (c == '\'') {
          for (i++; command.charAt(i) != '\''; i++) {
            word.append(command.charAt(i));
          }
        } else {
          word.append(c);
        }
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** The {@code -p name=value} of an {@code argo submit} command, in order. */
  static Map<String, String> argoArguments(String emitted) {
    String command = String.join("\n", emitted.lines().filter(l -> !l.startsWith("#")).toList());
    List<String> words = words(command);
    assertThat(words.subList(0, 2)).containsExactly("argo", "submit");
    assertThat(words).containsSubsequence("--from", "workflowtemplate/" + Emitted.ARGO_TEMPLATE);
    Map<String, String> arguments = new LinkedHashMap<>();
    for (int i = 0; i < words.size(); i++) {
      if (words.get(i).equals("-p")) {
        String pair = words.get(++i);
        arguments.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
      }
    }
    return arguments;
  }

  /** Checks an emitted {@code argo submit}: real parameters, every required one, Argo's schema. */
  static Map<String, String> checkArgo(String emitted) throws IOException {
    Map<String, String> arguments = argoArguments(emitted);
    Map<String, String> declared = argoParameters();
    assertThat(declared.keySet()).as("the template's parameters").containsAll(arguments.keySet());
    assertThat(arguments)
        .as("required parameters")
        .containsKeys(argoRequired().toArray(String[]::new));
    if (Files.isRegularFile(ARGO_SCHEMA)) {
      ObjectNode workflow = YAML.createObjectNode();
      workflow.put("apiVersion", "argoproj.io/v1alpha1");
      workflow.put("kind", "Workflow");
      workflow.putObject("metadata").put("generateName", "plan-");
      ObjectNode spec = workflow.putObject("spec");
      spec.putObject("workflowTemplateRef").put("name", Emitted.ARGO_TEMPLATE);
      var parameters = spec.putObject("arguments").putArray("parameters");
      arguments.forEach((k, v) -> parameters.addObject().put("name", k).put("value", v));
      Schema schema;
      try (InputStream in = Files.newInputStream(ARGO_SCHEMA)) {
        schema =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
      }
      assertThat(schema.validate(workflow)).as(workflow.toString()).isEmpty();
    }
    return arguments;
  }

  /** Checks an emitted PipelineRun: the shipped Pipeline, its real and required params, strings. */
  static Map<String, String> checkTekton(String emitted) throws IOException {
    JsonNode run = YAML.readTree(emitted);
    assertThat(run.path("apiVersion").asText()).isEqualTo("tekton.dev/v1");
    assertThat(run.path("kind").asText()).isEqualTo("PipelineRun");
    assertThat(run.path("spec").path("pipelineRef").path("name").asText())
        .isEqualTo(tektonPipeline().path("metadata").path("name").asText());
    Map<String, String> params = new LinkedHashMap<>();
    run.path("spec")
        .path("params")
        .forEach(
            p -> {
              assertThat(p.path("value").isTextual()).as(p.toString()).isTrue();
              params.put(p.path("name").asText(), p.path("value").asText());
            });
    Map<String, String> declared = tektonParameters();
    assertThat(declared.keySet()).as("the Pipeline's params").containsAll(params.keySet());
    declared.forEach(
        (name, value) -> {
          if (value == null) {
            assertThat(params).as("required param " + name).containsKey(name);
          }
        });
    return params;
  }
}
