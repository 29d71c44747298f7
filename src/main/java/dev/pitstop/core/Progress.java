package dev.pitstop.core;

import java.io.PrintWriter;

/** Human progress lines, written to stderr so stdout stays a clean JSON result. */
public final class Progress {
  private final PrintWriter err;
  private final boolean verbose;

  public Progress(PrintWriter err, boolean verbose) {
    this.err = err;
    this.verbose = verbose;
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
