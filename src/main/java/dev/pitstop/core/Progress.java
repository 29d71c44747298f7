package dev.pitstop.core;

import java.io.PrintWriter;

/** Human progress lines, written to stderr so stdout stays a clean JSON result. */
public final class Progress {
  /**
   * The lines of the command running on this thread (and the threads it starts), for code deep in
   * the adapters that has no {@link Progress} of its own: a retry says what failed and when it
   * tries again instead of waiting in silence.
   */
  private static final InheritableThreadLocal<Progress> CURRENT = new InheritableThreadLocal<>();

  private final PrintWriter err;
  private final boolean verbose;

  public Progress(PrintWriter err, boolean verbose) {
    this.err = err;
    this.verbose = verbose;
  }

  /** The running command's progress, or a silent one outside a command. */
  public static Progress current() {
    Progress current = CURRENT.get();
    return current != null ? current : silent();
  }

  /** Makes this the running command's progress until the returned handle is closed. */
  public Installed install() {
    Progress before = CURRENT.get();
    CURRENT.set(this);
    return () -> CURRENT.set(before);
  }

  /** Restores the progress that was current before {@link #install()}. */
  @FunctionalInterface
  public interface Installed extends AutoCloseable {
    @Override
    void close();
  }

  public boolean verbose() {
    return verbose;
  }

  public static Progress silent() {
    return new Progress(new PrintWriter(java.io.Writer.nullWriter()), false);
  }

  public void info(String line) {
    err.println(line);
    err.flush();
  }

  public void warn(String line) {
    err.println("warning: " + line);
    err.flush();
  }

  public void debug(String line) {
    if (verbose) {
      err.println("debug: " + line);
      err.flush();
    }
  }
}
