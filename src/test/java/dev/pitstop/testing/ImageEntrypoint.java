package dev.pitstop.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image's entrypoint as pom.xml's Jib configuration sets it, and the JVM flags of its
 * {@code @/app/jvm-flags} argfile: every shipped Argo and Tekton container names the same command,
 * and the benchmark starts steps with the same flags.
 */
public final class ImageEntrypoint {
  /** Where the argfile comes from: Jib copies src/main/jib into the image's root. */
  public static final Path JVM_FLAGS_FILE = Path.of("src", "main", "jib", "app", "jvm-flags");

  private ImageEntrypoint() {}

  /**
   * {@code java @/app/jvm-flags -cp @/app/jib-classpath-file dev.pitstop.cli.Main}, from pom.xml.
   */
  public static List<String> command() {
    String pom = read(Path.of("pom.xml"));
    Matcher block = Pattern.compile("<entrypoint>(.*?)</entrypoint>", Pattern.DOTALL).matcher(pom);
    if (!block.find()) {
      throw new AssertionError("pom.xml's Jib configuration sets no <entrypoint>");
    }
    List<String> command = new ArrayList<>();
    Matcher arg = Pattern.compile("<arg>([^<]+)</arg>").matcher(block.group(1));
    while (arg.find()) {
      command.add(arg.group(1));
    }
    return List.copyOf(command);
  }

  /** The JVM flags of the argfile, one per line as the file holds them. */
  public static List<String> jvmFlags() {
    return read(JVM_FLAGS_FILE).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
