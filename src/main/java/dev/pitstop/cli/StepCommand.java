package dev.pitstop.cli;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Cluster;
import dev.pitstop.kube.EventRecorder;
import dev.pitstop.kube.LedgerStore;
import dev.pitstop.kube.Names;
import dev.pitstop.step.StepContext;
import dev.pitstop.step.StepJournal;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The thin layer over a Kubernetes step: validate options, build the context, call the step, print
 * the result. Failures travel as {@link PitstopException}s to {@link PitstopCli}, which prints one
 * line and maps them to the exit code.
 */
abstract class StepCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Mixin HelpOption help;

  @Spec CommandSpec spec;

  private CliEnvironment environment;

  void setEnvironment(CliEnvironment environment) {
    this.environment = environment;
  }

  CliEnvironment environment() {
    return environment;
  }

  CommonOptions common() {
    return common;
  }

  /** Read-only commands (status, verify, smoke-test) take no run id and never write. */
  boolean readOnly() {
    return false;
  }

  /** The run id; commands that take {@code --run-id} return it, read-only ones null. */
  String runId() {
    return null;
  }

  /** Whether this invocation must not write: always for read-only commands. */
  boolean dryRun() {
    return readOnly();
  }

  /**
   * Whether the run record notes this step's start and end (for {@code status}, {@code finish} and
   * the maintenance window); commands that are no step of a run, or record their parts themselves,
   * say no.
   */
  boolean journalled() {
    return true;
  }

  /** Checks options that need more than parsing; throws usage errors before anything is read. */
  void validate() {}

  /** Calls the step. */
  abstract StepResult execute(StepContext context);

  @Override
  public final Integer call() {
    if (requiresApp() || common.app != null) {
      Names.app(common.app);
    }
    if (common.namespace != null) {
      Names.label("--namespace", common.namespace);
    }
    if (requiresRunId() || runId() != null) {
      requireRunId(runId());
    }
    if (!timeoutGiven()) {
      common.timeout = defaultTimeout();
    }
    if (common.timeout.isZero()) {
      throw PitstopException.usage("--timeout must be more than 0s: it is the step's deadline");
    }
    common.resultFiles();
    validate();
    Progress progress = new Progress(environment.err(), common.verbose);
    try (Progress.Installed installed = progress.install()) {
      return run(progress);
    }
  }

  private int run(Progress progress) {
    if (!needsCluster()) {
      StepResult result =
          executeWithoutCluster(progress, Deadline.after(environment.clock(), common.timeout));
      ResultWriter.success(spec.name(), result, common, environment.out());
      return result.exitCode();
    }
    try (KubernetesClient client =
        environment
            .kubernetes()
            .apply(
                new CliEnvironment.KubeAccess(common.timeout, common.kubeconfig, common.context))) {
      String namespace = common.namespace != null ? common.namespace : defaultNamespace(client);
      Deadline deadline = Deadline.after(environment.clock(), common.timeout);
      Cluster cluster = new Cluster(client, namespace, deadline);
      String runId = runId();
      StepContext context =
          new StepContext(
              cluster,
              new LedgerStore(cluster, common.app, environment.clock()),
              new EventRecorder(client, namespace, runId == null ? "-" : runId, progress),
              common.app,
              runId,
              dryRun(),
              progress,
              environment.clock());
      StepResult result =
          journalled()
              ? new StepJournal(context).around(spec.name(), readOnly(), () -> execute(context))
              : execute(context);
      ResultWriter.success(spec.name(), result, common, environment.out());
      return result.exitCode();
    }
  }

  /**
   * The deadline when none is given. A step that changes things may wait for rollouts and
   * migrations; {@code status} only reads, and a human waiting on it wants an answer soon.
   */
  java.time.Duration defaultTimeout() {
    return common.timeout;
  }

  private boolean timeoutGiven() {
    picocli.CommandLine.Model.OptionSpec option = spec.findOption("--timeout");
    return spec.commandLine().getParseResult().hasMatchedOption(option)
        || (spec.defaultValueProvider() != null && defaultFromProvider(option) != null);
  }

  private String defaultFromProvider(picocli.CommandLine.Model.OptionSpec option) {
    try {
      return spec.defaultValueProvider().defaultValue(option);
    } catch (Exception e) {
      return null;
    }
  }

  boolean requiresRunId() {
    return !readOnly();
  }

  boolean requiresApp() {
    return true;
  }

  /** False for an invocation that needs no Kubernetes API at all: no client is made. */
  boolean needsCluster() {
    return true;
  }

  /** Runs an invocation for which {@link #needsCluster()} is false. */
  StepResult executeWithoutCluster(Progress progress, Deadline deadline) {
    throw new IllegalStateException(spec.name() + " always needs a cluster");
  }

  private static void requireRunId(String runId) {
    if (runId == null || runId.isBlank()) {
      throw PitstopException.usage(
          "missing --run-id: give the id of this run (Argo {{workflow.uid}}, Tekton"
              + " $(context.pipelineRun.uid), or any id you reuse to re-run a step)");
    }
    if (runId.length() > 63 || !runId.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
      throw PitstopException.usage(
          "--run-id '" + runId + "' is not valid: at most 63 letters, digits, '-', '_' and '.'");
    }
  }

  private static String defaultNamespace(KubernetesClient client) {
    String namespace = client.getNamespace();
    return namespace == null || namespace.isEmpty() ? "default" : namespace;
  }
}
