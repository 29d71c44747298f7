package dev.pitstop.cli;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.Durations;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.http.HttpProbe;
import dev.pitstop.kube.Names;
import dev.pitstop.kube.Rollouts;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.step.SmokeCheck;
import dev.pitstop.step.SmokeTestStep;
import dev.pitstop.step.StepContext;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "An http(s) URL to GET (required). Repeatable.")
  List<String> urls = new ArrayList<>();

  @Option(
      names = "--expect-status",
      paramLabel = "CODE",
      defaultValue = "200",
      description = "The expected HTTP status. Default: ${DEFAULT-VALUE}.")
  int expectStatus;

  @Option(names = "--expect-body", paramLabel = "TEXT", description = "Text the body must contain.")
  String expectBody;

  @Option(
      names = "--expect-json",
      paramLabel = "POINTER=VALUE",
      description = "A JSON field the body must have, as a JSON pointer, e.g. /status=UP.")
  String expectJson;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description =
          "A request header, e.g. Authorization=Bearer... Repeatable; values never printed.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = CommonOptions.DurationConverter.class,
      description = "Pause between rounds of checks. Default: ${DEFAULT-VALUE}.")
  Duration interval;

  @Option(
      names = "--request-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = CommonOptions.DurationConverter.class,
      description = "Timeout of one request. Default: ${DEFAULT-VALUE}.")
  Duration requestTimeout;

  @Option(
      names = "--insecure",
      description = "Do not verify TLS certificates (only for self-signed test endpoints).")
  boolean insecure;

  @Mixin WorkloadOptions workloads;

  private final List<SmokeCheck> checks = new ArrayList<>();

  @Override
  String runId() {
    return null;
  }

  @Override
  boolean dryRun() {
    return true;
  }

  @Override
  boolean requiresRunId() {
    return false;
  }

  @Override
  boolean requiresApp() {
    return false;
  }

  @Override
  void validate() {
    if (urls.isEmpty()) {
      throw PitstopException.usage("missing --url: give at least one URL to check");
    }
    if (expectStatus < 100 || expectStatus > 599) {
      throw PitstopException.usage("--expect-status " + expectStatus + " is not an HTTP status");
    }
    String pointer = null;
    String value = null;
    if (expectJson != null) {
      int eq = expectJson.indexOf('=');
      if (!expectJson.startsWith("/") || eq < 0) {
        throw PitstopException.usage(
            "--expect-json '"
                + expectJson
                + "' is malformed: write POINTER=VALUE, e.g. /status=UP");
      }
      pointer = expectJson.substring(0, eq);
      value = expectJson.substring(eq + 1);
    }
    Map<String, String> parsedHeaders = new LinkedHashMap<>();
    for (String header : headers) {
      int eq = header.indexOf('=');
      if (eq <= 0 || !header.substring(0, eq).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        String name = eq > 0 ? header.substring(0, eq) : "(no name)";
        throw PitstopException.usage(
            "--header " + name + " is malformed: write NAME=VALUE, e.g. Accept=application/json");
      }
      parsedHeaders.put(header.substring(0, eq), header.substring(eq + 1));
    }
    for (String url : urls) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw PitstopException.usage("--url '" + url + "' is not a URL");
      }
      if (uri.getScheme() == null
          || !Set.of("http", "https").contains(uri.getScheme())
          || uri.getHost() == null) {
        throw PitstopException.usage(
            "--url '" + url + "' must be an http:// or https:// URL with a host");
      }
      checks.add(new SmokeCheck(uri, expectStatus, expectBody, pointer, value, parsedHeaders));
    }
    if (interval.isZero()) {
      throw PitstopException.usage("--interval must be more than 0s");
    }
    if (!workloads.workloads.isEmpty() || workloads.selector != null) {
      if (common.app == null) {
        throw PitstopException.usage("the readiness check of --workload/--selector needs --app");
      }
    }
  }

  @Override
  boolean needsCluster() {
    return !workloads.workloads.isEmpty() || workloads.selector != null;
  }

  @Override
  StepResult executeWithoutCluster(Progress progress, Deadline deadline) {
    return checkUrls(progress, deadline);
  }

  @Override
  StepResult execute(StepContext context) {
    if (needsCluster()) {
      Set<WorkloadRef> refs = new LinkedHashSet<>();
      workloads.workloads.forEach(w -> refs.add(WorkloadRef.parse(w)));
      if (workloads.selector != null) {
        refs.addAll(
            context.cluster().workloadsMatching(Names.selector("--selector", workloads.selector)));
      }
      new Rollouts(context.cluster()).awaitReady(new ArrayList<>(refs));
      context.progress().info("workloads ready: " + refs);
    }
    return checkUrls(context.progress(), context.cluster().deadline());
  }

  private StepResult checkUrls(Progress progress, Deadline deadline) {
    progress.info(
        "smoke test: "
            + checks.size()
            + " URL(s), every "
            + Durations.format(interval)
            + ", within "
            + Durations.format(deadline.budget()));
    return new SmokeTestStep(new HttpProbe(requestTimeout, insecure), deadline, interval, progress)
        .check(checks);
  }
}
