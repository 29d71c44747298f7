package dev.pitstop.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.bench.Bench;
import dev.pitstop.testing.ImageEntrypoint;
import dev.pitstop.testing.ShippedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The image's configuration, read from the tar {@code mvn package} builds offline on an empty base
 * (target/jib-image-check.tar), and the image the shipped pipelines run.
 */
class ImageIT {
  private static final Path TAR = Path.of("target", "jib-image-check.tar");
  private static final String IMAGE = System.getProperty("pitstop.image");

  /**
   * The text of {@code path} in the image's layers (each a gzipped tar inside the image tar); the
   * last layer that holds it wins, as in the container.
   */
  private static String file(String path) throws IOException {
    String found = null;
    try (InputStream in = Files.newInputStream(TAR)) {
      for (Entry layer = next(in); layer != null; layer = next(in)) {
        if (!layer.name().endsWith(".tar.gz")) {
          continue;
        }
        try (InputStream inner =
            new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(layer.content()))) {
          for (Entry entry = next(inner); entry != null; entry = next(inner)) {
            if (entry.name().replaceFirst("^\\./", "").replaceFirst("^/", "").equals(path)) {
              found = new String(entry.content(), StandardCharsets.UTF_8);
            }
          }
        }
      }
    }
    if (found == null) {
      throw new AssertionError(path + " is in no layer of " + TAR);
    }
    return found;
  }

  private record Entry(String name, byte[] content) {}

  /** The next entry of a tar stream (ustar names up to 100 characters, as Jib writes them). */
  private static Entry next(InputStream in) throws IOException {
    byte[] header = new byte[512];
    if (in.readNBytes(header, 0, 512) != 512 || header[0] == 0) {
      return null;
    }
    String prefix = new String(header, 345, 155, StandardCharsets.US_ASCII).replace("\0", "");
    String name = new String(header, 0, 100, StandardCharsets.US_ASCII).replace("\0", "");
    long size =
        Long.parseLong(
            new String(header, 124, 11, StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
    byte[] content = in.readNBytes((int) Math.min(size, Integer.MAX_VALUE));
    in.skipNBytes((512 - size % 512) % 512);
    return new Entry(prefix.isEmpty() ? name : prefix + "/" + name, content);
  }

  private static JsonNode config() throws IOException {
    try (InputStream in = Files.newInputStream(TAR)) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name =
            new String(header, 0, 100, StandardCharsets.US_ASCII).trim().replace("\0", "");
        long size =
            Long.parseLong(new String(header, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
        byte[] content = in.readNBytes((int) Math.min(size, Integer.MAX_VALUE));
        if (name.equals("config.json")) {
          return new ObjectMapper().readTree(content);
        }
        long padding = (512 - size % 512) % 512;
        in.skipNBytes(padding);
      }
    }
    throw new AssertionError("no config.json in " + TAR);
  }

  @Test
  void theImageRunsPitstopAsAFixedNumericNonRootUser() throws IOException {
    JsonNode config = config().get("config");

    List<String> entrypoint = new ArrayList<>();
    config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    assertThat(entrypoint).containsExactlyElementsOf(ImageEntrypoint.command());
    // the JVM flags come from an argfile in the image, next to the class path Jib writes
    assertThat(entrypoint).contains("@/app/jvm-flags", "@/app/jib-classpath-file");
    assertThat(file("app/jib-classpath-file")).contains("/app/classes");
    List<String> flags = file("app/jvm-flags").lines().map(String::strip).toList();
    // the benchmark measures the steps with the image's JVM flags
    assertThat(flags).containsExactlyElementsOf(Bench.IMAGE_JVM_FLAGS);
    // HotSpot's own exit on out-of-memory is 3, Pitstop's "locked by another run"
    assertThat(flags).noneMatch(flag -> flag.contains("ExitOnOutOfMemoryError"));
    assertThat(config.get("User").asText()).matches("[1-9][0-9]*:[1-9][0-9]*");
    assertThat(config.path("ExposedPorts").size()).isZero();
  }

  /**
   * Every shipped Argo container names the image's entrypoint as its command: without one Argo's
   * controller looks it up in the registry, which fails behind a private or air-gapped one.
   */
  @Test
  void everyArgoContainerRunsTheImagesEntrypoint() throws IOException {
    List<String> entrypoint = new ArrayList<>();
    config().get("config").get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    List<String> commands = new ArrayList<>();
    ObjectMapper yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    try (Stream<Path> files = walk("workflow-templates")) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        try (var parser = yaml.getFactory().createParser(file.toFile())) {
          for (JsonNode document : yaml.readValues(parser, JsonNode.class).readAll()) {
            for (JsonNode container : document.findValues("container")) {
              commands.add(file + ": " + container.path("command"));
            }
            for (JsonNode init : document.findValues("initContainers")) {
              init.forEach(c -> commands.add(file + ": " + c.path("command")));
            }
          }
        }
      }
    }
    String expected = new ObjectMapper().valueToTree(entrypoint).toString();
    assertThat(commands).isNotEmpty().allSatisfy(c -> assertThat(c).endsWith(": " + expected));
  }

  @Test
  void theImageCarriesOciLabelsWithTheBuildsVersion() throws IOException {
    JsonNode labels = config().get("config").get("Labels");
    String version = IMAGE.substring(IMAGE.lastIndexOf(':') + 1);

    assertThat(labels.get("org.opencontainers.image.version").asText()).isEqualTo(version);
    assertThat(labels.get("org.opencontainers.image.source").asText()).startsWith("https://");
    assertThat(labels.get("org.opencontainers.image.licenses").asText()).isEqualTo("Apache-2.0");
  }

  @Test
  void everyShippedPipelineReferencesTheImageOfThisBuild() throws IOException {
    Pattern reference = Pattern.compile("(ghcr\\.io/[\\w./-]+/pitstop:[\\w.-]+)");
    List<String> found = new ArrayList<>();
    List<Path> files = new ArrayList<>(ShippedFiles.yaml());
    try (Stream<Path> examples = walk("examples")) {
      examples.filter(f -> f.toString().endsWith(".yaml")).forEach(files::add);
    }
    for (Path file : files) {
      Matcher matcher = reference.matcher(Files.readString(file));
      while (matcher.find()) {
        found.add(file + ": " + matcher.group(1));
      }
    }

    assertThat(found).isNotEmpty();
    assertThat(found).allSatisfy(line -> assertThat(line).endsWith(": " + IMAGE));
  }

  private static Stream<Path> walk(String folder) {
    try {
      return Files.walk(Path.of(folder));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
