package dev.pitstop.cli;

import dev.pitstop.core.ExitCode;
import java.nio.charset.StandardCharsets;

/**
 * Ends the process with {@link ExitCode#OUT_OF_MEMORY} when the JVM runs out of memory, in any
 * thread. HotSpot's own {@code -XX:+ExitOnOutOfMemoryError} exits with 3, which is Pitstop's
 * "locked by another run": a pipeline would then leave the app alone as if someone else owned it. A
 * step that ran out of memory stopped wherever it was, so it must read as a failure.
 */
public final class OutOfMemory {
  /** Made before it is needed: printing it then must not allocate. */
  private static final byte[] MESSAGE =
      ("pitstop: out of memory (exit "
              + ExitCode.OUT_OF_MEMORY
              + "): the step stopped where it was; raise the container's memory limit, then finish"
              + " the run (`pitstop status` names the command)\n")
          .getBytes(StandardCharsets.UTF_8);

  private OutOfMemory() {}

  /**
   * Every thread's uncaught {@link OutOfMemoryError} halts the process; other uncaught errors are
   * printed as the JVM would.
   */
  public static void install() {
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, error) -> {
          haltIfCausedBy(error);
          // what the JVM prints when no handler is set (ThreadGroup.uncaughtException)
          System.err.print("Exception in thread \"" + thread.getName() + "\" ");
          error.printStackTrace(System.err);
        });
  }

  /** Halts when {@code error} or one of its causes is an {@link OutOfMemoryError}. */
  public static void haltIfCausedBy(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof OutOfMemoryError) {
        halt();
      }
      if (cause.getCause() == cause) {
        return;
      }
    }
  }

  /**
   * Stops the JVM at once: {@link Runtime#halt} runs no shutdown hook and needs no memory, where
   * {@code System.exit} would start threads and allocate.
   */
  public static void halt() {
    try {
      System.err.write(MESSAGE, 0, MESSAGE.length);
      System.err.flush();
    } catch (Throwable ignored) {
      // the exit code says it even when the message cannot be written
    }
    Runtime.getRuntime().halt(ExitCode.OUT_OF_MEMORY);
  }
}
