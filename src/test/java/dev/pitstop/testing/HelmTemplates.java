package dev.pitstop.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Renders a chart's templates the way {@code helm template} would, for the little the example
 * charts use: {@code {{ .Values.a.b }}}, {@code {{ .Release.Name }}}, {@code {{ .Release.Namespace
 * }}} and {@code {{ .Release.Revision }}}, each optionally piped through {@code quote}. Anything
 * else (control structures, other functions, a value values.yaml does not have) is an error, so a
 * template this renderer cannot render faithfully fails the tests instead of passing unread.
 */
public final class HelmTemplates {
  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final Pattern ACTION = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);
  private static final Pattern SUPPORTED =
      Pattern.compile(
          "\\s*\\.(Values(?:\\.[A-Za-z_][A-Za-z0-9_]*)+|Release\\.(?:Name|Namespace|Revision))"
              + "\\s*(\\|\\s*quote\\s*)?");

  /** The release a chart is rendered for. */
  public record Release(String name, String namespace, int revision) {}

  /** One rendered YAML document and the template it came from. */
  public record Manifest(Path template, JsonNode node) {
    public String kind() {
      return node.path("kind").asText();
    }

    public String name() {
      return node.path("metadata").path("name").asText();
    }

    @Override
    public String toString() {
      return kind() + " " + name() + " (" + template.getFileName() + ")";
    }
  }

  private HelmTemplates() {}

  /** Every document of every manifest template, rendered with the chart's values.yaml. */
  public static List<Manifest> render(Path chart, Release release) {
    JsonNode values = readYaml(chart.resolve("values.yaml"));
    List<Manifest> manifests = new ArrayList<>();
    for (Path template : manifestTemplates(chart)) {
      String text;
      try {
        text = render(Files.readString(template), values, release);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(template + ": " + e.getMessage(), e);
      }
      for (String document : text.split("(?m)^---\\s*$")) {
        try {
          JsonNode node = YAML.readTree(document);
          if (node != null && !node.isNull() && !node.isMissingNode()) {
            manifests.add(new Manifest(template, node));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("rendered " + template + " is not YAML", e);
        }
      }
    }
    return manifests;
  }

  /** Helm renders every file of templates/ except partials ({@code _*}) and NOTES.txt. */
  public static List<Path> manifestTemplates(Path chart) {
    try (Stream<Path> files = Files.list(chart.resolve("templates"))) {
      return files
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .filter(f -> !f.getFileName().toString().startsWith("_"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Renders one template text. */
  public static String render(String template, JsonNode values, Release release) {
    Matcher action = ACTION.matcher(template);
    StringBuilder out = new StringBuilder();
    while (action.find()) {
      Matcher supported = SUPPORTED.matcher(action.group(1));
      if (!supported.matches()) {
        throw new IllegalArgumentException("cannot render {{" + action.group(1) + "}}");
      }
      String value = lookup(supported.group(1), values, release);
      if (supported.group(2) != null) {
        value = quote(value);
      }
      action.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    action.appendTail(out);
    return out.toString();
  }

  private static String lookup(String path, JsonNode values, Release release) {
    switch (path) {
      case "Release.Name":
        return release.name();
      case "Release.Namespace":
        return release.namespace();
      case "Release.Revision":
        return Integer.toString(release.revision());
      default:
        JsonNode node = values;
        for (String key : path.substring("Values.".length()).split("\\.")) {
          node = node.path(key);
        }
        if (!node.isValueNode() || node.isNull()) {
          throw new IllegalArgumentException("values.yaml has no value ." + path);
        }
        return node.asText();
    }
  }

  /** Like Helm's quote (Go's {@code %q}): a double-quoted string with escapes. */
  static String quote(String value) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\t' -> quoted.append("\\t");
        case '\r' -> quoted.append("\\r");
        default -> quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }

  private static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
