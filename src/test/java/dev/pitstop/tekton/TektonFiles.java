package dev.pitstop.tekton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The shipped Tekton YAML under {@code tekton-tasks/}, parsed once for the tests. */
final class TektonFiles {
  static final Path ROOT = Path.of("tekton-tasks");

  /**
   * The image's entrypoint, which every step sets as its {@code command}: the JVM flags are in the
   * image's argfile, so they can change without changing the Tasks (ImageIT compares this with the
   * built image).
   */
  static final List<String> IMAGE_ENTRYPOINT = imageEntrypoint();

  private static List<String> imageEntrypoint() {
    return dev.pitstop.testing.ImageEntrypoint.command();
  }

  /** Any Tekton variable: {@code $(params.x)}, {@code $(tasks.t.results.r)}, ... */
  static final Pattern VARIABLE = Pattern.compile("\\$\\(([^)]*)\\)");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One YAML document and the file it came from. */
  record Doc(Path file, JsonNode node) {
    String kind() {
      return node.path("kind").asText();
    }

    String name() {
      return node.path("metadata").path("name").asText();
    }

    JsonNode spec() {
      return node.path("spec");
    }

    @Override
    public String toString() {
      return kind() + " " + name() + " (" + file + ")";
    }
  }

  private final List<Doc> docs;

  private TektonFiles(List<Doc> docs) {
    this.docs = docs;
  }

  static TektonFiles load() {
    List<Doc> docs = new ArrayList<>();
    for (Path file : yamlFiles()) {
      docs.addAll(parse(file));
    }
    return new TektonFiles(docs);
  }

  static List<Path> yamlFiles() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Doc> parse(Path file) {
    try {
      List<Doc> docs = new ArrayList<>();
      for (JsonNode node :
          YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
        if (node != null && !node.isNull() && !node.isMissingNode()) {
          docs.add(new Doc(file, node));
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  List<Doc> all() {
    return docs;
  }

  List<Doc> ofKind(String kind) {
    return docs.stream().filter(d -> d.kind().equals(kind)).toList();
  }

  Map<String, Doc> tasksByName() {
    Map<String, Doc> tasks = new LinkedHashMap<>();
    ofKind("Task").forEach(t -> tasks.put(t.name(), t));
    return tasks;
  }

  Doc pipeline(String name) {
    return ofKind("Pipeline").stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Pipeline " + name));
  }

  Optional<Doc> task(String name) {
    return Optional.ofNullable(tasksByName().get(name));
  }

  /** Every string value below {@code node}, with the path where it is. */
  static Map<String, String> strings(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    collect(node, "", out);
    return out;
  }

  private static void collect(JsonNode node, String path, Map<String, String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> collect(e.getValue(), path + "/" + e.getKey(), out));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), path + "/" + i, out);
      }
    } else if (node.isTextual()) {
      out.put(path, node.asText());
    }
  }

  /** The variables (without {@code $( )}) used in a text. */
  static List<String> variables(String text) {
    List<String> found = new ArrayList<>();
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.forEach(item -> names.add(item.path("name").asText()));
    return names;
  }

  static ObjectNode object(JsonNode node) {
    return (ObjectNode) node;
  }
}
