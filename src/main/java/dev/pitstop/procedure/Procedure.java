package dev.pitstop.procedure;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The migration procedure, defined once as data: the forward steps in order, the rollback that runs
 * when any forward step after {@code lock} fails, and the closing steps that always run last.
 * {@code pitstop run} executes it; the tests of the shipped Argo and Tekton pipelines check their
 * DAGs against it.
 *
 * <pre>
 * lock → maintenance-on → scale-down → snapshot → migrate → verify → scale-up → smoke-test
 *                       any failure after lock → rollback
 * always, last, in this order: maintenance-off → unlock (skipped when rollback failed)
 * </pre>
 */
public final class Procedure {
  /**
   * One step of the procedure.
   *
   * @param command the pitstop subcommand that performs it
   * @param optional true when a run may leave it out ({@code snapshot})
   */
  public record Step(String command, boolean optional) {}

  /** An edge of the DAG: {@code to} runs after {@code from}. */
  public record Edge(String from, String to) {}

  public static final Step LOCK = new Step("lock", false);
  public static final Step MAINTENANCE_ON = new Step("maintenance-on", false);
  public static final Step SCALE_DOWN = new Step("scale-down", false);
  public static final Step SNAPSHOT = new Step("snapshot", true);
  public static final Step MIGRATE = new Step("migrate", false);
  public static final Step VERIFY = new Step("verify", false);
  public static final Step SCALE_UP = new Step("scale-up", false);
  public static final Step SMOKE_TEST = new Step("smoke-test", false);
  public static final Step ROLLBACK = new Step("rollback", false);
  public static final Step MAINTENANCE_OFF = new Step("maintenance-off", false);
  public static final Step UNLOCK = new Step("unlock", false);

  /** The forward steps, in order. */
  public static final List<Step> FORWARD =
      List.of(LOCK, MAINTENANCE_ON, SCALE_DOWN, SNAPSHOT, MIGRATE, VERIFY, SCALE_UP, SMOKE_TEST);

  /**
   * Always run last, in this order, unless rollback failed (then the app stays locked in
   * maintenance).
   */
  public static final List<Step> CLOSING = List.of(MAINTENANCE_OFF, UNLOCK);

  private Procedure() {}

  /** The forward steps a run executes, leaving out the snapshot when it is off. */
  public static List<Step> forward(boolean snapshot) {
    return FORWARD.stream().filter(s -> snapshot || s != SNAPSHOT).toList();
  }

  /**
   * The forward steps a run that starts at {@code from} executes: {@code from} and every step after
   * it, leaving out the snapshot when it is off. The steps before {@code from} must be done already
   * (a pipeline ran them, recorded under the same run id).
   */
  public static List<Step> forwardFrom(Step from, boolean snapshot) {
    List<Step> steps = forward(snapshot);
    int at = steps.indexOf(from);
    if (at < 0) {
      throw new IllegalArgumentException(from.command() + " is no forward step of this run");
    }
    return steps.subList(at, steps.size());
  }

  /**
   * Where the shipped pipelines' one-pod route starts: it runs every step from here to
   * maintenance-off (and the rollback) in one process, {@code pitstop run --from maintenance-on
   * --no-unlock}. Starting at maintenance-on rather than after it puts the pod's start, the JVM's,
   * the client's and the input checks before the window opens: the bench measured them at 1.75 s of
   * a 3.07 s window when the pod started after an orchestrated maintenance-on.
   */
  public static final Step WINDOW_START = MAINTENANCE_ON;

  /**
   * What the one-pod route runs in its one process: the forward steps from {@link #WINDOW_START}
   * on, the rollback, and maintenance-off; lock and unlock stay with the pipeline.
   */
  public static List<Step> window(boolean snapshot) {
    List<Step> steps = new ArrayList<>(forwardFrom(WINDOW_START, snapshot));
    steps.add(ROLLBACK);
    steps.add(MAINTENANCE_OFF);
    return List.copyOf(steps);
  }

  /** The forward steps whose failure triggers the rollback: every one after {@code lock}. */
  public static List<Step> coveredByRollback() {
    return FORWARD.subList(1, FORWARD.size());
  }

  /** The forward edges, each step after the one before it. */
  public static List<Edge> forwardEdges(boolean snapshot) {
    List<Step> steps = forward(snapshot);
    List<Edge> edges = new ArrayList<>();
    for (int i = 1; i < steps.size(); i++) {
      edges.add(new Edge(steps.get(i - 1).command(), steps.get(i).command()));
    }
    return edges;
  }

  /** The closing edge: unlock after maintenance-off. */
  public static List<Edge> closingEdges() {
    return List.of(new Edge(MAINTENANCE_OFF.command(), UNLOCK.command()));
  }

  public static Optional<Step> byCommand(String command) {
    List<Step> all = new ArrayList<>(FORWARD);
    all.add(ROLLBACK);
    all.addAll(CLOSING);
    return all.stream().filter(s -> s.command().equals(command)).findFirst();
  }
}
