package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every step's {@code command} is the entrypoint of the image this build makes (read from the tar
 * {@code mvn package} writes offline): a command that drifted from it would run something else than
 * the image's own launcher and JVM flags.
 */
class TektonCommandIT {
  private static final Path TAR = Path.of("target", "jib-image-check.tar");

  private static List<String> entrypoint() throws IOException {
    try (InputStream in = Files.newInputStream(TAR)) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name =
            new String(header, 0, 100, StandardCharsets.US_ASCII).trim().replace("\0", "");
        long size =
            Long.parseLong(new String(header, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
        byte[] content = in.readNBytes((int) size);
        if (name.equals("config.json")) {
          List<String> entrypoint = new ArrayList<>();
          new ObjectMapper()
              .readTree(content)
              .path("config")
              .path("Entrypoint")
              .forEach(e -> entrypoint.add(e.asText()));
          return entrypoint;
        }
        in.skipNBytes((512 - size % 512) % 512);
      }
    }
    throw new AssertionError("no config.json in " + TAR);
  }

  @Test
  void everyStepsCommandIsTheImagesEntrypoint() throws IOException {
    List<String> entrypoint = entrypoint();
    assertThat(TektonFiles.IMAGE_ENTRYPOINT).isEqualTo(entrypoint);
    for (TektonFiles.Doc task : TektonFiles.load().ofKind("Task")) {
      for (JsonNode step : task.spec().path("steps")) {
        assertThat(TektonFiles.strings(step.path("command")).values())
            .as("command of %s", task)
            .containsExactlyElementsOf(entrypoint);
      }
    }
  }
}
