package dev.pitstop.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.pitstop.core.PitstopException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code pitstop plan --emit} prints: the proposed options as a Pitstop config file, as the
 * {@code argo submit} command of the shipped {@code pitstop-migration} WorkflowTemplate, or as a
 * PipelineRun of the shipped Tekton {@code pitstop-migration} Pipeline. {@link #PARAMETERS} is the
 * one place where option names meet the pipelines' parameter names; the tests read the shipped YAML
 * and check every name here against it.
 */
public final class Emitted {
  /** The forms {@code --emit} takes. */
  public enum Form {
    CONFIG,
    ARGO,
    TEKTON
  }

  /** The shipped WorkflowTemplate and Pipeline a run is started from. */
  public static final String ARGO_TEMPLATE = "pitstop-migration";

  public static final String TEKTON_PIPELINE = "pitstop-migration";

  /**
   * A Pitstop option and the parameters of the shipped pipelines that carry it; null where a
   * pipeline has none (the option then has to come from the app's config file).
   */
  public record Parameter(String option, String argo, String tekton) {}

  /** Option name, Argo parameter, Tekton parameter. */
  public static final List<Parameter> PARAMETERS =
      List.of(
          new Parameter("app", "app", "app"),
          new Parameter("namespace", "namespace", "namespace"),
          new Parameter("workload", "workloads", "workloads"),
          new Parameter("selector", null, "selector"),
          new Parameter("mode", "maintenance-mode", "maintenance-mode"),
          new Parameter("configmap", "maintenance-configmap", "maintenance-configmap"),
          new Parameter("key", "maintenance-key", "maintenance-key"),
          new Parameter("value", "maintenance-value", null),
          new Parameter("service", "maintenance-service", "maintenance-service"),
          new Parameter("maintenance-selector", "maintenance-selector", "maintenance-selector"),
          new Parameter("ingress", "maintenance-ingress", "maintenance-ingress"),
          new Parameter("httproute", "maintenance-httproute", "maintenance-httproute"),
          new Parameter("maintenance-backend", "maintenance-backend", "maintenance-backend"),
          new Parameter("jdbc-url", "jdbc-url", "jdbc-url"),
          new Parameter("db-user", "db-user", "db-user"),
          // where the plan found the migrations is no place in a pipeline: each pipeline reads them
          // from what it is given (Argo: migrations-image and -path; Tekton: its workspace)
          new Parameter("locations", null, null),
          new Parameter("target-version", "target-version", "target-version"),
          new Parameter("atomic", "atomic", "atomic"),
          new Parameter("snapshot", "snapshot", "snapshot"),
          new Parameter("backward-compatible", "backward-compatible", "backward-compatible"),
          new Parameter("url", "smoke-urls", "smoke-urls"),
          new Parameter("pause-argocd", null, null),
          new Parameter("delete-running-jobs", null, null),
          new Parameter("argocd-namespace", null, null));

  /** The parameters naming the Secret with the database password (no Pitstop option has it). */
  public static final Parameter PASSWORD_SECRET =
      new Parameter(null, "db-password-secret", "db-secret");

  public static final Parameter PASSWORD_KEY =
      new Parameter(null, "db-password-key", "db-password-key");

  private Emitted() {}

  /**
   * The form of a run with these options (option name without dashes to a String, a Boolean or a
   * List of Strings), in the map's order.
   */
  public static String render(Form form, java.util.Map<String, Object> options, String namespace) {
    Proposal proposal = new Proposal();
    options.forEach((option, value) -> proposal.put(option, value, null));
    return render(form, proposal, namespace);
  }

  static String render(Form form, Proposal proposal, String namespace) {
    return switch (form) {
      case CONFIG -> config(proposal);
      case ARGO -> argo(proposal, namespace);
      case TEKTON -> tekton(proposal, namespace);
    };
  }

  private static Parameter parameter(String option) {
    return PARAMETERS.stream()
        .filter(p -> p.option().equals(option))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no pipeline mapping for --" + option));
  }

  /** A Pitstop config file (keys are option names), for {@code --config} or a ConfigMap. */
  static String config(Proposal proposal) {
    ObjectNode root = YAML.createObjectNode();
    proposal
        .options()
        .forEach(
            (option, value) -> {
              if (value instanceof List<?> list) {
                ArrayNode array = root.putArray(option);
                list.forEach(v -> array.add(String.valueOf(v)));
              } else if (value instanceof Boolean b) {
                root.put(option, b);
              } else {
                root.put(option, String.valueOf(value));
              }
            });
    StringBuilder text = new StringBuilder();
    text.append("# Pitstop config proposed by `pitstop plan`; keys are option names.\n");
    text.append("# Use it with `pitstop run --config FILE --run-id ID`, or as the app's config\n");
    text.append("# ConfigMap in a pipeline. The database password is never in it: set\n");
    text.append("# PITSTOP_DB_PASSWORD or --db-password-file");
    if (proposal.password() != null) {
      text.append(
          " (the app reads it from secret/"
              + proposal.password().secret()
              + " key "
              + proposal.password().key()
              + ")");
    }
    text.append(".\n");
    proposal
        .reasons()
        .forEach(
            (option, why) ->
                text.append("# ").append(option).append(": ").append(why).append('\n'));
    text.append(write(root));
    return text.toString();
  }

  /** {@code argo submit --from workflowtemplate/pitstop-migration -p …}, ready to paste. */
  static String argo(Proposal proposal, String namespace) {
    List<String> lines = new ArrayList<>();
    List<String> leftOut = new ArrayList<>();
    lines.add("argo submit -n " + shell(namespace) + " --from workflowtemplate/" + ARGO_TEMPLATE);
    proposal
        .options()
        .forEach(
            (option, value) -> {
              String name = parameter(option).argo();
              if (name == null) {
                leftOut.add(option);
              } else {
                lines.add("-p " + name + "=" + shell(pipelineValue(value)));
              }
            });
    if (proposal.password() != null) {
      lines.add("-p " + PASSWORD_SECRET.argo() + "=" + shell(proposal.password().secret()));
      lines.add("-p " + PASSWORD_KEY.argo() + "=" + shell(proposal.password().key()));
    }
    lines.add("--watch");
    StringBuilder text = new StringBuilder();
    notes(text, leftOut, "the WorkflowTemplate's config-configmap");
    text.append(String.join(" \\\n  ", lines)).append('\n');
    return text.toString();
  }

  /** A PipelineRun of the shipped Tekton Pipeline, for {@code kubectl create -f -}. */
  static String tekton(Proposal proposal, String namespace) {
    ObjectNode run = YAML.createObjectNode();
    run.put("apiVersion", "tekton.dev/v1");
    run.put("kind", "PipelineRun");
    ObjectNode metadata = run.putObject("metadata");
    metadata.put("generateName", proposal.get("app") + "-migration-");
    ObjectNode spec = run.putObject("spec");
    spec.putObject("pipelineRef").put("name", TEKTON_PIPELINE);
    spec.putObject("taskRunTemplate").put("serviceAccountName", "pitstop");
    ArrayNode params = spec.putArray("params");
    List<String> leftOut = new ArrayList<>();
    proposal
        .options()
        .forEach(
            (option, value) -> {
              String name = parameter(option).tekton();
              if (name == null) {
                leftOut.add(option);
              } else {
                params.addObject().put("name", name).put("value", pipelineValue(value));
              }
            });
    if (proposal.password() != null) {
      params
          .addObject()
          .put("name", PASSWORD_SECRET.tekton())
          .put("value", proposal.password().secret());
      params.addObject().put("name", PASSWORD_KEY.tekton()).put("value", proposal.password().key());
    }
    StringBuilder text = new StringBuilder();
    notes(text, leftOut, "the app's config file (the config workspace and config-file)");
    text.append("# kubectl create -n ")
        .append(namespace)
        .append(" -f this-file.yaml   (the Pipeline and the pitstop ServiceAccount live there)\n");
    text.append(
        "# Bind the migrations workspace to where the migrations are, e.g. a ConfigMap or a\n"
            + "# git-clone Task's output; its default path is the locations parameter's.\n");
    text.append(write(run));
    return text.toString();
  }

  private static void notes(StringBuilder text, List<String> leftOut, String where) {
    if (!leftOut.isEmpty()) {
      text.append("# No pipeline parameter carries ")
          .append(String.join(", ", leftOut.stream().map(o -> "--" + o).toList()))
          .append(": put them in ")
          .append(where)
          .append(leftOut.contains("locations") ? ", or give the pipeline its migrations" : "")
          .append(".\n");
    }
  }

  /**
   * Lists one entry per line, booleans as {@code true}/{@code false}: how the pipelines read them.
   */
  static String pipelineValue(Object value) {
    return String.join("\n", Proposal.values(value));
  }

  /** The value quoted for a POSIX shell: single quotes, and ANSI-C quoting for line breaks. */
  static String shell(String value) {
    if (value.matches("[A-Za-z0-9_./:=@,+-]+")) {
      return value;
    }
    if (value.contains("\n")) {
      return "$'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .build());

  private static String write(ObjectNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses {@code --emit}'s value; anything else is a usage error. */
  public static Form form(String text) {
    try {
      return Form.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw PitstopException.usage("--emit '" + text + "' is not one of config, argo, tekton");
    }
  }
}
