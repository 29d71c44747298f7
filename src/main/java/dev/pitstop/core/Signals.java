package dev.pitstop.core;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SIGTERM (a pod evicted, a pipeline stopped) and SIGINT (Ctrl-C) stop a step cleanly instead of
 * killing it mid-way: the database statement that is running is cancelled (a killed client leaves
 * PostgreSQL running the migration on its own), the waiting thread is interrupted, the step's end
 * goes to the run record, and the state and next command are printed. The process then ends with
 * 143 or 130, as a signalled process does. A second signal, or a step that does not end within
 * {@link #GRACE}, ends the process at once.
 */
public final class Signals {
  /** Shorter than Kubernetes' default 30 s termination grace period. */
  public static final Duration GRACE = Duration.ofSeconds(20);

  private static final List<Runnable> ON_STOP = new CopyOnWriteArrayList<>();
  private static volatile String received;

  private Signals() {}

  /** Runs {@code action} when a stop signal arrives (e.g. cancel running statements). */
  public static void onStop(Runnable action) {
    ON_STOP.add(action);
  }

  /** The signal that asked the process to stop, e.g. {@code SIGTERM}. */
  public static Optional<String> stopping() {
    return Optional.ofNullable(received);
  }

  /** 143 after SIGTERM, 130 after SIGINT. */
  public static int exitCode() {
    return "SIGINT".equals(received) ? ExitCode.INTERRUPTED : ExitCode.TERMINATED;
  }

  /** Handles SIGTERM and SIGINT for the command running on {@code main}. */
  public static void install(Thread main, PrintWriter err) {
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop("SIG" + name, main, err));
      } catch (IllegalArgumentException e) {
        // the platform does not let this signal be handled: the JVM's default applies
      }
    }
  }

  /** What a signal does; public for tests, which cannot send one to their own JVM safely. */
  public static synchronized void stop(String signal, Thread main, PrintWriter err) {
    if (received != null) {
      err.println("pitstop: " + signal + " again: stopping at once");
      err.flush();
      Runtime.getRuntime().halt(exitCode());
    }
    received = signal;
    err.println(
        "pitstop: "
            + signal
            + " received: cancelling the running step (at most "
            + Durations.format(GRACE)
            + ")");
    err.flush();
    // interrupt first: a step whose statement the actions below cancel then clears this one
    // interrupt when it records its end, and no later interrupt can cut that write off
    main.interrupt();
    for (Runnable action : ON_STOP) {
      try {
        action.run();
      } catch (RuntimeException e) {
        // best effort: the step still ends at the latest when the grace period is over
      }
    }
    Thread guard =
        new Thread(
            () -> {
              try {
                Thread.sleep(GRACE.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              err.println("pitstop: the step did not end within " + Durations.format(GRACE));
              err.flush();
              Runtime.getRuntime().halt(exitCode());
            },
            "pitstop-stop-guard");
    guard.setDaemon(true);
    guard.start();
  }

  /** Forgets a signal; for tests that simulate one. */
  public static void reset() {
    received = null;
  }
}
