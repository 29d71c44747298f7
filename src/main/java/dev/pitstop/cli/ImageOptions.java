package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** New images to start the app with. */
final class ImageOptions {
  @Option(
      names = "--image",
      paramLabel = "CONTAINER=IMAGE",
      description = "Set the image of every container with this name while scaling up. Repeatable.")
  List<String> images = new ArrayList<>();

  /** Container name to image; usage errors for anything malformed. */
  Map<String, String> parse() {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String image : images) {
      int eq = image.indexOf('=');
      if (eq <= 0
          || eq == image.length() - 1
          || image.substring(eq + 1).isBlank()
          || image.substring(eq + 1).chars().anyMatch(Character::isWhitespace)) {
        throw PitstopException.usage(
            "--image '"
                + image
                + "' is malformed: write it as CONTAINER=IMAGE, e.g. web=shop:2.4.0");
      }
      if (parsed.put(image.substring(0, eq), image.substring(eq + 1)) != null) {
        throw PitstopException.usage(
            "--image gives container '" + image.substring(0, eq) + "' twice");
      }
    }
    return parsed;
  }
}
