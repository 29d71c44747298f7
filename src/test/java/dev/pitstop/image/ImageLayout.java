package dev.pitstop.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
// commons-compress comes with the embedded PostgreSQL the tests run on; Jib writes long names and
// modification times as PAX headers, which it reads
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image tar as Jib writes it ({@code jib:buildTar}: the config, a manifest and one gzipped tar
 * per layer), unpacked into a folder as a container would see its file system, so that its {@code
 * /app} can be listed and the image's own class path run with a local JVM. Files keep the
 * modification times the image gives them.
 */
public final class ImageLayout {
  private final Path tar;
  private final Path root;
  private final JsonNode config;
  private final List<String> files;

  private ImageLayout(Path tar, Path root, JsonNode config, List<String> files) {
    this.tar = tar;
    this.root = root;
    this.config = config;
    this.files = files;
  }

  /** Unpacks {@code tar} into {@code into}, which is emptied first. */
  public static ImageLayout unpack(Path tar, Path folder) throws IOException {
    // absolute: the class path is used by processes started in other folders
    Path into = folder.toAbsolutePath();
    deleteRecursively(into);
    Files.createDirectories(into);
    Map<String, byte[]> top = new HashMap<>();
    Map<String, Path> layerFiles = new HashMap<>();
    Path layers = Files.createDirectories(into.resolveSibling(into.getFileName() + ".layers"));
    try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
      for (TarArchiveEntry entry; (entry = in.getNextEntry()) != null; ) {
        if (entry.getName().endsWith(".tar.gz")) {
          Path layer = layers.resolve(entry.getName());
          Files.copy(in, layer, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          layerFiles.put(entry.getName(), layer);
        } else if (entry.isFile()) {
          top.put(entry.getName(), in.readAllBytes());
        }
      }
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode manifest = json.readTree(top.get("manifest.json")).get(0);
    JsonNode config = json.readTree(top.get(manifest.get("Config").asText()));
    List<String> files = new ArrayList<>();
    for (JsonNode layer : manifest.get("Layers")) {
      try (TarArchiveInputStream in =
          new TarArchiveInputStream(
              new GZIPInputStream(Files.newInputStream(layerFiles.get(layer.asText()))))) {
        for (TarArchiveEntry entry; (entry = in.getNextEntry()) != null; ) {
          String name = "/" + entry.getName().replaceFirst("^/+", "").replaceFirst("/$", "");
          Path target = into.resolve(name.substring(1));
          if (entry.isDirectory()) {
            Files.createDirectories(target);
          } else if (entry.isFile()) {
            Files.createDirectories(target.getParent());
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            files.add(name);
          }
          Files.setLastModifiedTime(target, FileTime.from(entry.getLastModifiedDate().toInstant()));
        }
      }
    }
    deleteRecursively(layers);
    return new ImageLayout(tar, into, config, List.copyOf(files));
  }

  /** The image's configuration ({@code config.json}: entrypoint, user, labels...). */
  public JsonNode config() {
    return config;
  }

  /** Every regular file the image's layers hold, as absolute paths in the image. */
  public List<String> files() {
    return files;
  }

  /** The jars in the image's {@code /app/libs}, by file name. */
  public List<String> jars() {
    return files.stream()
        .filter(file -> file.startsWith("/app/libs/") && file.endsWith(".jar"))
        .map(file -> file.substring("/app/libs/".length()))
        .sorted()
        .toList();
  }

  /** The size of the image tar (its layers, gzipped, and its configuration). */
  public long tarBytes() throws IOException {
    return Files.size(tar);
  }

  /** The folder holding the unpacked file system. */
  public Path root() {
    return root;
  }

  /** The path of an image path such as {@code /app/libs} in the unpacked file system. */
  public Path path(String inImage) {
    return root.resolve(inImage.replaceFirst("^/+", ""));
  }

  /**
   * The class path the entrypoint gives the JVM (Jib writes it to {@code /app/jib-classpath-file}
   * and passes it as {@code -cp @/app/jib-classpath-file}), each entry moved into the unpacked
   * folder.
   */
  public String classPath() {
    List<String> entrypoint = entrypoint();
    String classPath = entrypoint.get(entrypoint.indexOf("-cp") + 1);
    try {
      if (classPath.startsWith("@")) {
        classPath = Files.readString(path(classPath.substring(1)), StandardCharsets.UTF_8).strip();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> entries = new ArrayList<>();
    for (String entry : classPath.split(":")) {
      entries.add(path(entry).toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  /**
   * The JVM flags the entrypoint gives, its argfiles ({@code @/app/jvm-flags}) read from the image.
   */
  public List<String> jvmFlags() {
    List<String> entrypoint = entrypoint();
    List<String> flags = new ArrayList<>();
    for (String flag : entrypoint.subList(1, entrypoint.indexOf("-cp"))) {
      if (!flag.startsWith("@")) {
        flags.add(flag);
        continue;
      }
      try {
        read(flag.substring(1))
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .forEach(flags::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return flags;
  }

  /** The image's entrypoint, as a list. */
  public List<String> entrypoint() {
    List<String> entrypoint = new ArrayList<>();
    config.get("config").get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    return entrypoint;
  }

  /**
   * The entrypoint's JVM flags and main class around a local {@code java} and the unpacked class
   * path: how the image starts a step, run on this machine.
   */
  public List<String> command(String java) {
    List<String> entrypoint = entrypoint();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmFlags());
    command.add("-cp");
    command.add(classPath());
    command.add(entrypoint.get(entrypoint.size() - 1));
    return command;
  }

  static void deleteRecursively(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** Reads one small file of the image. */
  public String read(String inImage) throws IOException {
    try (InputStream in = Files.newInputStream(path(inImage))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
