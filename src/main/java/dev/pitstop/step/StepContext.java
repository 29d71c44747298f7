package dev.pitstop.step;

import dev.pitstop.core.Progress;
import dev.pitstop.kube.Cluster;
import dev.pitstop.kube.EventRecorder;
import dev.pitstop.kube.LedgerStore;
import java.time.Clock;

/**
 * Everything a Kubernetes step needs about the run it belongs to.
 *
 * @param dryRun when true a step reads, prints what it would change, and writes nothing at all
 */
public record StepContext(
    Cluster cluster,
    LedgerStore ledger,
    EventRecorder events,
    String app,
    String runId,
    boolean dryRun,
    Progress progress,
    Clock clock) {

  /** The same run with a new deadline of {@code budget}: each step of {@code run} gets its own. */
  public StepContext withDeadline(java.time.Duration budget) {
    Cluster fresh =
        new Cluster(
            cluster.client(), cluster.namespace(), dev.pitstop.core.Deadline.after(clock, budget));
    return new StepContext(
        fresh, new LedgerStore(fresh, app, clock), events, app, runId, dryRun, progress, clock);
  }

  /** Prefix for lines that describe a change a dry run did not make. */
  public String would() {
    return dryRun ? "dry run: would " : "";
  }
}
