package dev.pitstop.cli;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.Rollouts;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.step.SmokeCheck;
import dev.pitstop.step.SmokeTestStep;
import dev.pitstop.step.StepContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "smoke-test",
    description =
        "HTTP checks (status, body, JSON field) retried until a deadline; workloads ready.",
    footer = {
      "%nEvery --url gets the same expectations. Header values are never printed.",
      "%nExample:%n  pitstop smoke-test --url http://shop-web.shop.svc/healthz \\",
      "    --expect-status 200 --expect-json /status=UP --timeout 2m"
    })
final class SmokeTestCommand extends StepCommand {
  @Mixin SmokeOptions smoke;

  @Mixin ReadinessOptions workloads;

  @Mixin RecordedRunOption recordedRun;

  private List<SmokeCheck> checks;
  private WorkloadOptions.Chosen readiness;

  @Override
  boolean readOnly() {
    return true;
  }

  @Override
  boolean requiresApp() {
    return false;
  }

  @Override
  String runId() {
    return recordedRun.runId;
  }

  @Override
  void validate() {
    if (smoke.urls.isEmpty()) {
      throw PitstopException.usage("missing --url: give at least one URL to check");
    }
    checks = smoke.checks();
    readiness = workloads.parse();
    if (readiness.any() && common.app == null) {
      throw PitstopException.usage("the readiness check of --workload/--selector needs --app");
    }
  }

  /** The cluster is needed for the readiness check, and to note the step in the run's record. */
  @Override
  boolean needsCluster() {
    return readiness.any() || (common.app != null && recordedRun.runId != null);
  }

  @Override
  StepResult executeWithoutCluster(Progress progress, Deadline deadline) {
    return new SmokeTestStep(smoke.probe(), deadline, smoke.interval, progress).check(checks);
  }

  @Override
  StepResult execute(StepContext context) {
    Set<WorkloadRef> refs = new LinkedHashSet<>(readiness.named());
    if (!readiness.selector().isEmpty()) {
      refs.addAll(context.cluster().workloadsMatching(readiness.selector()));
    }
    // A CronJob has no replicas to be ready.
    refs.removeIf(ref -> !ref.kind().scalable());
    new Rollouts(context.cluster()).awaitReady(new ArrayList<>(refs));
    context.progress().info("workloads ready: " + refs);
    return executeWithoutCluster(context.progress(), context.cluster().deadline());
  }
}
