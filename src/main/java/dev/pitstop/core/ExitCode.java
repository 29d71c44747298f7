package dev.pitstop.core;

/** The exit codes are the retry contract between Pitstop and the pipelines that call it. */
public final class ExitCode {
  /** Done, including "nothing to do". */
  public static final int OK = 0;

  /** The step ran and failed: the pipeline rolls back and does not retry. */
  public static final int FAILED = 1;

  /** Bad input or configuration; nothing was changed. */
  public static final int USAGE = 2;

  /** The app is locked by another run; nothing was changed. */
  public static final int LOCKED = 3;

  /** Rollback failed: maintenance stays on and the lock stays held. A human is needed. */
  public static final int ROLLBACK_FAILED = 4;

  /**
   * {@code plan} only: the plan has blockers (something the run cannot do, or cannot do safely);
   * nothing was changed.
   */
  public static final int PLAN_BLOCKED = 5;

  /**
   * The JVM ran out of memory (EX_SOFTWARE): the step stopped wherever it was, like a killed pod.
   * Not a retry and not "locked": the pipeline rolls back, and the memory limit needs raising.
   */
  public static final int OUT_OF_MEMORY = 70;

  /** Transient trouble (API or database unreachable, 5xx, 429, conflict, lock timeout): retry. */
  public static final int TRANSIENT = 75;

  /** Stopped by SIGINT (Ctrl-C): the step ended where it was; its record says where. */
  public static final int INTERRUPTED = 130;

  /** Stopped by SIGTERM (a pod evicted, a pipeline stopped): as {@link #INTERRUPTED}. */
  public static final int TERMINATED = 143;

  private ExitCode() {}
}
