package dev.pitstop.cli;

import dev.pitstop.core.Json;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.StepResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prints a step's result as text or one JSON object, and writes {@code --results-dir} files. */
final class ResultWriter {
  private ResultWriter() {}

  /** The longest error written to a results file: Tekton keeps 4096 bytes of results per Task. */
  static final int ERROR_FILE_LIMIT = 500;

  static void success(String command, StepResult result, CommonOptions options, PrintWriter out) {
    Map<String, Object> fields = new LinkedHashMap<>(result.fields());
    if (result.exitCode() != 0 && !fields.containsKey("error")) {
      // a run that ended in a rollback returns its outcome as a result: it is still the error
      fields.put("error", firstLine(result.summary()));
    }
    if (options.resultsDir != null) {
      Map<String, Object> files = new LinkedHashMap<>(fields);
      files.put("exit-code", result.exitCode());
      if (files.get("error") instanceof String error) {
        files.put("error", abbreviate(error));
      }
      writeResultsDir(options.resultsDir, files);
    }
    writeResultFiles(options.resultFiles(), fields);
    if (options.output == CommonOptions.Output.JSON) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("command", command);
      object.put("exit-code", result.exitCode());
      object.put("summary", result.summary());
      object.putAll(fields);
      out.println(Json.write(object));
    } else {
      out.println(result.summary());
    }
    out.flush();
  }

  static void failure(String command, int exitCode, String message, PrintWriter out) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("command", command);
    object.put("exit-code", exitCode);
    object.put("error", message);
    out.println(Json.write(object));
    out.flush();
  }

  /** The {@code exit-code} and {@code error} files of a step that failed. */
  static void writeFailure(Path dir, int exitCode, String message) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("exit-code", exitCode);
    files.put("error", abbreviate(message));
    writeResultsDir(dir, files);
  }

  private static String abbreviate(String text) {
    String line = firstLine(text);
    return line.length() > ERROR_FILE_LIMIT ? line.substring(0, ERROR_FILE_LIMIT - 1) + "…" : line;
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** Each named field to its own file; a field the result lacks is written as an empty file. */
  static void writeResultFiles(Map<String, Path> files, Map<String, Object> fields) {
    for (Map.Entry<String, Path> file : files.entrySet()) {
      Path path = file.getValue();
      try {
        if (path.getParent() != null) {
          Files.createDirectories(path.getParent());
        }
        Files.writeString(path, text(fields.get(file.getKey())), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw PitstopException.usage(
            "cannot write result " + file.getKey() + " to " + path + ": " + e.getMessage());
      }
    }
  }

  private static String text(Object value) {
    return value == null
        ? ""
        : value instanceof String || value instanceof Number || value instanceof Boolean
            ? value.toString()
            : Json.write(value);
  }

  /**
   * One file per field, named like the field, without a trailing newline. Scalars are written as
   * they are; lists and maps as compact JSON.
   */
  static void writeResultsDir(Path dir, Map<String, Object> fields) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, Object> field : fields.entrySet()) {
        Files.writeString(
            dir.resolve(field.getKey()), text(field.getValue()), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw PitstopException.usage(
          "cannot write results to " + dir + ": " + e.getMessage() + "; is it a writable folder?");
    }
  }
}
