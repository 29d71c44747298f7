package dev.pitstop.cli;

import dev.pitstop.core.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Options every step takes. */
public final class CommonOptions {
  /** How results are printed. */
  public enum Output {
    TEXT,
    JSON
  }

  @Option(
      names = "--app",
      paramLabel = "APP",
      description =
          "The application this run is about; names the run record and lock"
              + " configmap/pitstop-APP. Required by every step that touches Kubernetes.")
  String app;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description =
          "Namespace of the app. Default: the client's namespace (in a pod, the pod's own).")
  String namespace;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "The kubeconfig to use, as with kubectl. Default: in a pod its ServiceAccount, else"
              + " KUBECONFIG or ~/.kube/config.")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "The kubeconfig context to use, as with kubectl. Default: its current one.")
  String context;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "Deadline for the whole step: every request and every retry of a transient failure,"
              + " e.g. 90s, 5m. Default: ${DEFAULT-VALUE} (status, which only reads: 30s).")
  Duration timeout;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text, or json for one JSON object on stdout. Default: ${DEFAULT-VALUE}.")
  Output output;

  @Option(
      names = "--results-dir",
      paramLabel = "DIR",
      description =
          "Write each result field to its own file in DIR (Argo output parameters, Tekton"
              + " results).")
  Path resultsDir;

  @Option(
      names = "--result",
      paramLabel = "FIELD=FILE",
      description =
          "Write one result field to FILE (Tekton's $(results.NAME.path)); a field the step does"
              + " not give is written empty, so the file always exists after a success."
              + " Repeatable.")
  List<String> resultFiles = new ArrayList<>();

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "YAML file of option defaults (keys are option names without dashes). Flags win over"
              + " PITSTOP_* environment variables, which win over this file.")
  Path config;

  @Option(
      names = {"-v", "--verbose"},
      description =
          "Print each API request, database connection and wait as it happens, and on"
              + " unexpected errors the stack trace.")
  boolean verbose;

  private static final java.util.regex.Pattern RESULT_FIELD =
      java.util.regex.Pattern.compile("[a-z][a-z0-9-]*");

  /**
   * The {@code --result} files by field, checked before the step runs: a typo must not surface only
   * after the step has changed something.
   */
  Map<String, Path> resultFiles() {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String entry : resultFiles) {
      int at = entry.indexOf('=');
      String field = at < 0 ? "" : entry.substring(0, at);
      String file = at < 0 ? "" : entry.substring(at + 1);
      if (!RESULT_FIELD.matcher(field).matches() || file.isBlank()) {
        throw dev.pitstop.core.PitstopException.usage(
            "--result '"
                + entry
                + "' is not FIELD=FILE with a kebab-case field, e.g. outcome=/tekton/results/outcome");
      }
      try {
        files.put(field, Path.of(file));
      } catch (java.nio.file.InvalidPathException e) {
        throw dev.pitstop.core.PitstopException.usage(
            "--result " + field + ": '" + file + "' is not a valid path: " + e.getReason());
      }
    }
    return files;
  }

  /** Parses durations written like {@code 90s}, {@code 5m}, {@code 1h30m}. */
  public static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (dev.pitstop.core.PitstopException e) {
        // picocli would print the exception's class name in front of the message
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
