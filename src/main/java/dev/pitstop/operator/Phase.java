package dev.pitstop.operator;

import dev.pitstop.core.ExitCode;

/** Where a Migration is, as {@code status.phase} and {@code kubectl get psm} show it. */
public enum Phase {
  /** Posted; the plan is being made. */
  Pending,
  /** Planned; waiting for approval, or blocked by what the plan found. */
  Planned,
  /** Approved, and waiting for its window or for another run to release the app. */
  Waiting,
  /** The run Job is running the procedure (or finish is ending it). */
  Running,
  /** Migrated and up: maintenance off, unlocked. */
  Succeeded,
  /** A step failed and everything was rolled back: maintenance off, unlocked. */
  RolledBack,
  /** Refused before anything changed: bad input, or its window closed before it could start. */
  Failed,
  /** The rollback failed: the app stays in maintenance and locked for a human. */
  NeedsAttention;

  public boolean ended() {
    return this == Succeeded || this == RolledBack || this == Failed || this == NeedsAttention;
  }

  /**
   * The phase {@code pitstop run}'s (or {@code finish}'s) final exit code means; null for codes
   * that mean the run has not ended (3: another run holds the app, so the Migration waits).
   */
  public static Phase ofExitCode(int exitCode) {
    return switch (exitCode) {
      case ExitCode.OK -> Succeeded;
      case ExitCode.FAILED -> RolledBack;
      case ExitCode.USAGE -> Failed;
      case ExitCode.LOCKED -> null;
      case ExitCode.ROLLBACK_FAILED -> NeedsAttention;
      default -> null;
    };
  }

  /** The end state the design names, for {@code status.endState}. */
  public String endState() {
    return switch (this) {
      case Succeeded -> "migrated";
      case RolledBack -> "rolled-back";
      case NeedsAttention -> "needs-attention";
      case Failed -> "not-started";
      default -> null;
    };
  }
}
