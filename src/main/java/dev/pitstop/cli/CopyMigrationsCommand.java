package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "copy-migrations",
    description =
        "Copy a folder of migrations into another, e.g. out of a migrations image into a pod's"
            + " shared volume.",
    footer = {
      "%nFor an init container: the Pitstop image has no shell and no cp, so an image built FROM"
          + " it copies its migrations with this. Needs no cluster and no database. Follows"
          + " symbolic links (a mounted ConfigMap's files are links) and skips names starting with"
          + " a dot (a ConfigMap's ..data folders). A folder without a single file is exit 2: a"
          + " misspelt ConfigMap, mounted as optional, is an empty folder, and migrating nothing"
          + " would look like success.",
      "%nExample:%n  pitstop copy-migrations --from /configmap-migrations --to /migrations"
    })
final class CopyMigrationsCommand implements Callable<Integer> {
  @Mixin HelpOption help;

  @Option(
      names = "--from",
      paramLabel = "DIR",
      description = "The folder holding the migrations (SQL files, subfolders allowed).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "DIR",
      description = "Where to copy them; made if missing. Files already there are replaced.")
  String to;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Path source = folder("--from", from);
    Path target = folder("--to", to);
    if (!Files.isDirectory(source)) {
      throw PitstopException.usage(
          "--from "
              + source
              + " is not a folder: the migrations image has no such folder, or the migrations"
              + " are not mounted there");
    }
    int copied = copy(source, target);
    if (copied == 0) {
      throw PitstopException.usage(
          "no migrations in "
              + source
              + ": the folder holds no file (a ConfigMap mounted there may be misspelt or empty)");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("copied " + copied + " file(s) from " + source + " to " + target);
    out.flush();
    return 0;
  }

  private static Path folder(String option, String value) {
    if (value == null || value.isBlank()) {
      throw PitstopException.usage(option + " is required: name a folder");
    }
    try {
      return Path.of(value);
    } catch (java.nio.file.InvalidPathException e) {
      throw PitstopException.usage(option + " '" + value + "' is not a valid path");
    }
  }

  private static int copy(Path source, Path target) {
    int[] copied = {0};
    try {
      Files.walkFileTree(
          source,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
                throws IOException {
              if (!dir.equals(source) && hidden(dir)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              Files.createDirectories(target.resolve(source.relativize(dir).toString()));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              if (attributes.isRegularFile() && !hidden(file)) {
                Files.copy(
                    file,
                    target.resolve(source.relativize(file).toString()),
                    StandardCopyOption.REPLACE_EXISTING);
                copied[0]++;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof FileSystemLoopException) {
                throw PitstopException.usage(
                    "the links under " + source + " form a loop at " + file);
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw PitstopException.failed(
          "cannot copy " + source + " to " + target + ": " + e.getMessage());
    }
    return copied[0];
  }

  private static boolean hidden(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().startsWith(".");
  }
}
