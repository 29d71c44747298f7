package dev.pitstop.core;

/**
 * The root of every expected failure. It carries the exit code the CLI ends with and a message a
 * user can act on; the message must never contain a secret.
 */
public class PitstopException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public PitstopException(int exitCode, String message) {
    this(exitCode, message, null);
  }

  public PitstopException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  public boolean isTransient() {
    return exitCode == ExitCode.TRANSIENT;
  }

  /** Bad input or configuration: exit 2, nothing was changed. */
  public static PitstopException usage(String message) {
    return new PitstopException(ExitCode.USAGE, message);
  }

  /** The step ran and failed: exit 1. */
  public static PitstopException failed(String message) {
    return new PitstopException(ExitCode.FAILED, message);
  }

  /** Another run holds the lock: exit 3. */
  public static PitstopException locked(String message) {
    return new PitstopException(ExitCode.LOCKED, message);
  }

  /** Transient trouble, worth a retry: exit 75. */
  public static PitstopException transientFailure(String message, Throwable cause) {
    return new PitstopException(ExitCode.TRANSIENT, message, cause);
  }
}
