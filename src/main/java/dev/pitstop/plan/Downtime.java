package dev.pitstop.plan;

import dev.pitstop.db.DatabaseFacts.Applied;
import dev.pitstop.kube.ObjectFields;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How long users would see the maintenance page: from the end of {@code maintenance-on} to the end
 * of {@code maintenance-off}, as a range, with every assumption said. Each step in between is
 * modelled from what the cluster and the database say; a step whose time cannot be known makes the
 * upper end unknown rather than a guess.
 */
final class Downtime {
  /** A snapshot copies the database's files: {@code CREATE DATABASE … TEMPLATE}. */
  static final long FAST_COPY_BYTES_PER_SECOND = 400L << 20;

  static final long SLOW_COPY_BYTES_PER_SECOND = 50L << 20;

  /** Kubernetes' default {@code terminationGracePeriodSeconds}. */
  static final int DEFAULT_GRACE_SECONDS = 30;

  /** Pulling a new image on a node that does not have it yet. */
  static final int IMAGE_PULL_SECONDS = 30;

  /** What each orchestrator adds per step: one process, or one pod per step. */
  record Orchestrator(String name, int steps, long lowPerStep, long highPerStep, String how) {}

  /** One step of the window and its time, {@code high} null when it cannot be estimated. */
  record Phase(String step, long low, Long high, String assumption) {}

  /** The estimate: the steps, their sum, and the sum per orchestrator. */
  record Estimate(List<Phase> phases, long low, Long high, List<Orchestrator> orchestrators) {
    Map<String, Object> toFields() {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("low-seconds", low);
      fields.put("high-seconds", high);
      List<Map<String, Object>> steps = new ArrayList<>();
      for (Phase phase : phases) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("step", phase.step());
        step.put("low-seconds", phase.low());
        step.put("high-seconds", phase.high());
        step.put("assumption", phase.assumption());
        steps.add(step);
      }
      fields.put("steps", steps);
      Map<String, Object> by = new LinkedHashMap<>();
      for (Orchestrator o : orchestrators) {
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("low-seconds", low + o.steps() * o.lowPerStep());
        total.put("high-seconds", high == null ? null : high + o.steps() * o.highPerStep());
        total.put("assumption", o.how());
        by.put(o.name(), total);
      }
      fields.put("orchestrators", by);
      return fields;
    }

    /** {@code 40s – 2m10s}, or {@code at least 40s} when the upper end is unknown. */
    String range(Orchestrator o) {
      long from = low + o.steps() * o.lowPerStep();
      if (high == null) {
        return "at least " + format(from);
      }
      return format(from) + " – " + format(high + o.steps() * o.highPerStep());
    }
  }

  /**
   * What the estimate is made from.
   *
   * @param scaled the Deployments and StatefulSets the run scales
   * @param snapshot whether the run takes a snapshot
   * @param sizeBytes the database's size, null when unknown
   * @param pending the pending migrations (version, transactional), null when unknown
   * @param history the migrations the history table recorded, null when unknown
   * @param smokeUrls how many URLs the smoke test checks
   */
  record Inputs(
      List<PodOwner> scaled,
      boolean snapshot,
      Long sizeBytes,
      List<Map<String, Object>> pending,
      List<Applied> history,
      int smokeUrls) {}

  private Downtime() {}

  static Estimate estimate(Inputs in) {
    List<Phase> phases = new ArrayList<>();
    phases.add(scaleDown(in.scaled()));
    if (in.snapshot()) {
      phases.add(snapshot(in.sizeBytes()));
    }
    phases.add(migrate(in));
    phases.add(new Phase("verify", 1, 5L, "Flyway validate and the checks: seconds"));
    phases.add(scaleUp(in.scaled()));
    phases.add(
        new Phase(
            "smoke-test",
            in.smokeUrls() == 0 ? 0 : 1,
            in.smokeUrls() == 0 ? 0L : 10L,
            in.smokeUrls() == 0
                ? "no smoke URL: scale-up's readiness check is the test"
                : "each URL answers within a few tries once the pods are ready"));
    phases.add(new Phase("maintenance-off", 1, 3L, "one update of the object switched on"));
    long low = phases.stream().mapToLong(Phase::low).sum();
    Long high =
        phases.stream().anyMatch(p -> p.high() == null)
            ? null
            : phases.stream().mapToLong(Phase::high).sum();
    int steps = phases.size();
    List<Orchestrator> orchestrators =
        List.of(
            new Orchestrator(
                "run", steps, 0, 1, "pitstop run: the steps in one process, under a second each"),
            new Orchestrator(
                "argo",
                steps + 1,
                5,
                20,
                "Argo Workflows: one pod per step (scheduling, container start, the JVM), 5–20 s"
                    + " each; maintenance-off runs in the exit hook after reading the record"),
            new Orchestrator(
                "tekton",
                steps,
                5,
                20,
                "Tekton: one TaskRun pod per step, 5–20 s each; maintenance-off runs in the"
                    + " finally Task"));
    return new Estimate(phases, low, high, orchestrators);
  }

  private static Phase scaleDown(List<PodOwner> scaled) {
    int longest = DEFAULT_GRACE_SECONDS;
    String which = "Kubernetes' default";
    boolean any = false;
    for (PodOwner owner : scaled) {
      Integer grace = ObjectFields.integer(spec(owner), "terminationGracePeriodSeconds");
      int seconds = grace == null ? DEFAULT_GRACE_SECONDS : grace;
      if (!any || seconds > longest) {
        longest = seconds;
        which = owner.key() + (grace == null ? ", the default" : "");
      }
      any = true;
    }
    return new Phase(
        "scale-down",
        2,
        (long) longest + 5,
        "pods stop within seconds of SIGTERM, at worst after the longest"
            + " terminationGracePeriodSeconds: "
            + longest
            + " s ("
            + which
            + ")");
  }

  private static Phase snapshot(Long size) {
    if (size == null) {
      return new Phase("snapshot", 1, null, "the database's size is not known");
    }
    return new Phase(
        "snapshot",
        1 + size / FAST_COPY_BYTES_PER_SECOND,
        5 + size / SLOW_COPY_BYTES_PER_SECOND,
        "CREATE DATABASE … TEMPLATE copies "
            + bytes(size)
            + " at 50–400 MiB/s, the disk's speed (1.36 GiB took 4.3 s on a development machine),"
            + " plus a checkpoint");
  }

  private static Phase migrate(Inputs in) {
    if (in.pending() == null) {
      return new Phase("migrate", 1, null, "the pending migrations are not known");
    }
    int count = in.pending().size();
    if (count == 0) {
      return new Phase("migrate", 0, 1L, "nothing pending");
    }
    List<Long> earlier = new ArrayList<>();
    if (in.history() != null) {
      for (Applied applied : in.history()) {
        if (applied.version() != null && COMPARABLE.contains(applied.type())) {
          earlier.add(applied.executionMillis());
        }
      }
    }
    long outside =
        in.pending().stream().filter(m -> Boolean.FALSE.equals(m.get("transactional"))).count();
    if (earlier.isEmpty()) {
      return new Phase(
          "migrate",
          1,
          null,
          count
              + " pending; the history table holds no earlier migration to compare them with, so"
              + " their time is not estimated (time them on a copy of the database)");
    }
    earlier.sort(Long::compare);
    long median = earlier.get(earlier.size() / 2);
    long longest = earlier.get(earlier.size() - 1);
    long low = 1 + count * median / 1000;
    long high = 3 + (count * longest + 999) / 1000;
    String more = "";
    if (outside > 0 && in.sizeBytes() != null) {
      // an index built CONCURRENTLY reads its table twice; the whole database bounds it
      high += outside * 2 * (in.sizeBytes() / SLOW_COPY_BYTES_PER_SECOND);
      more =
          "; "
              + outside
              + " run(s) outside a transaction (e.g. CREATE INDEX CONCURRENTLY), counted as"
              + " reading the whole database twice at 50 MiB/s";
    }
    return new Phase(
        "migrate",
        low,
        high,
        count
            + " pending, each taking from the median ("
            + median
            + " ms) to the longest ("
            + longest
            + " ms) of the "
            + earlier.size()
            + " earlier migration(s) the history table recorded"
            + more);
  }

  private static final Set<String> COMPARABLE = Set.of("SQL", "JDBC", "SPRING_JDBC", "SCRIPT");

  private static Phase scaleUp(List<PodOwner> scaled) {
    long low = 0;
    long high = 0;
    String slowest = "no workload to start";
    for (PodOwner owner : scaled) {
      long[] ready = readiness(owner);
      int replicas = replicas(owner);
      boolean ordered =
          owner.kind() == PodOwner.Kind.STATEFULSET
              && !"Parallel".equals(owner.object().get("spec", "podManagementPolicy"));
      int waves = ordered ? Math.max(1, replicas) : 1;
      Integer minReady = ObjectFields.integer(owner.object(), "spec", "minReadySeconds");
      long extra = minReady == null ? 0 : minReady;
      long ownerLow = waves * (2 + ready[0]) + extra + 2;
      long ownerHigh = waves * (IMAGE_PULL_SECONDS + ready[1]) + extra + 5;
      if (ownerHigh > high) {
        slowest =
            owner.key()
                + ": "
                + (ordered && waves > 1 ? waves + " pods one after another, each " : "")
                + (ready[1] == 0
                    ? "no readiness probe, ready once started"
                    : "ready after " + ready[0] + "–" + ready[1] + " s of probes")
                + (extra > 0 ? " + minReadySeconds " + extra : "");
      }
      low = Math.max(low, ownerLow);
      high = Math.max(high, ownerHigh);
    }
    return new Phase(
        "scale-up",
        low,
        high,
        "the workloads start together; the slowest decides ("
            + slowest
            + "), plus up to "
            + IMAGE_PULL_SECONDS
            + " s to pull a new image");
  }

  /** Seconds from a container's start until it is ready: best case and worst case of its probes. */
  private static long[] readiness(PodOwner owner) {
    long low = 0;
    long high = 0;
    for (Map<String, Object> container : PodOwner.list(owner.podSpec().get("containers"))) {
      long cLow = 0;
      long cHigh = 0;
      if (container.get("startupProbe") instanceof Map<?, ?> startup) {
        cLow += number(startup, "initialDelaySeconds", 0);
        cHigh +=
            number(startup, "initialDelaySeconds", 0)
                + number(startup, "periodSeconds", 10) * number(startup, "failureThreshold", 3);
      }
      if (container.get("readinessProbe") instanceof Map<?, ?> readiness) {
        long delay = number(readiness, "initialDelaySeconds", 0);
        long period = number(readiness, "periodSeconds", 10);
        long successes = number(readiness, "successThreshold", 1);
        cLow += delay + period * (successes - 1);
        cHigh += delay + period * successes;
      }
      low = Math.max(low, cLow);
      high = Math.max(high, cHigh);
    }
    return new long[] {low, high};
  }

  private static long number(Map<?, ?> map, String key, long otherwise) {
    return map.get(key) instanceof Number n ? n.longValue() : otherwise;
  }

  private static int replicas(PodOwner owner) {
    Integer replicas = ObjectFields.integer(owner.object(), "spec", "replicas");
    return replicas == null ? 1 : replicas;
  }

  private static GenericKubernetesResource spec(PodOwner owner) {
    GenericKubernetesResource view = new GenericKubernetesResource();
    view.setAdditionalProperties(owner.podSpec());
    return view;
  }

  /** {@code 45s}, {@code 2m05s}, {@code 1h10m}: whole seconds, as an estimate deserves. */
  static String format(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(java.util.Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(
        java.util.Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600 + 59) / 60);
  }

  static String bytes(long size) {
    if (size >= 1L << 30) {
      return String.format(java.util.Locale.ROOT, "%.1f GiB", size / (double) (1L << 30));
    }
    if (size >= 1L << 20) {
      return String.format(java.util.Locale.ROOT, "%.1f MiB", size / (double) (1L << 20));
    }
    return String.format(java.util.Locale.ROOT, "%.1f KiB", size / 1024.0);
  }
}
