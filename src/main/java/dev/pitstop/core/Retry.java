package dev.pitstop.core;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Retries an action on transient failures with exponential backoff and jitter until a deadline.
 * Tekton retries a failed Task unconditionally, so transient trouble is absorbed here, inside the
 * step's {@code --timeout}; only when the deadline passes does the step exit 75.
 */
public final class Retry {
  private static final Duration FIRST_DELAY = Duration.ofMillis(200);
  private static final Duration MAX_DELAY = Duration.ofSeconds(10);

  private final Function<Exception, PitstopException> classifier;
  private final Sleeper sleeper;

  /** Waits between attempts; tests replace it to stay fast. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * @param classifier turns any exception into a {@link PitstopException}; transient ones (exit 75)
   *     are retried, every other one ends the attempt at once
   */
  public Retry(Function<Exception, PitstopException> classifier) {
    this(classifier, duration -> Thread.sleep(duration.toMillis()));
  }

  public Retry(Function<Exception, PitstopException> classifier, Sleeper sleeper) {
    this.classifier = classifier;
    this.sleeper = sleeper;
  }

  public <T> T call(String what, Deadline deadline, Callable<T> action) {
    Duration delay = FIRST_DELAY;
    int attempt = 0;
    while (true) {
      attempt++;
      PitstopException failure;
      try {
        return action.call();
      } catch (PitstopException e) {
        failure = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw PitstopException.transientFailure(what + ": interrupted", e);
      } catch (Exception e) {
        failure = classifier.apply(e);
      }
      if (!failure.isTransient()) {
        throw failure;
      }
      Duration jittered = delay.plusMillis((long) (Math.random() * delay.toMillis() / 2));
      if (deadline.remaining().compareTo(jittered) <= 0) {
        throw new PitstopException(
            ExitCode.TRANSIENT,
            what
                + ": still failing after "
                + attempt
                + " attempt(s) within "
                + Durations.format(deadline.budget())
                + ": "
                + failure.getMessage(),
            failure.getCause() != null ? failure.getCause() : failure);
      }
      Progress.current()
          .info(
              what
                  + ": "
                  + failure.getMessage()
                  + " (attempt "
                  + attempt
                  + "); trying again in "
                  + Durations.format(jittered)
                  + ", giving up in "
                  + Durations.format(deadline.remaining())
                  + " (--timeout)");
      try {
        sleeper.sleep(jittered);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw PitstopException.transientFailure(what + ": interrupted", e);
      }
      delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
    }
  }

  public void run(String what, Deadline deadline, ThrowingRunnable action) {
    call(
        what,
        deadline,
        () -> {
          action.run();
          return null;
        });
  }

  /** A {@link Runnable} that may throw. */
  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }
}
