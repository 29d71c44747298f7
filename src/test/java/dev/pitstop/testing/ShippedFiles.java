package dev.pitstop.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The YAML Pitstop ships for clusters: the Argo and Tekton folders and the maintenance page. */
public final class ShippedFiles {
  public static final List<Path> FOLDERS =
      List.of(Path.of("workflow-templates"), Path.of("tekton-tasks"), Path.of("maintenance-page"));

  private ShippedFiles() {}

  public static List<Path> yaml() throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path folder : FOLDERS) {
      try (Stream<Path> files = Files.walk(folder)) {
        files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(found::add);
      }
    }
    return found;
  }
}
