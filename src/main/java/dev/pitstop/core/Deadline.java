package dev.pitstop.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** A point in time a step must finish by. */
public final class Deadline {
  private final Clock clock;
  private final Instant end;
  private final Duration budget;

  private Deadline(Clock clock, Duration budget) {
    this.clock = clock;
    this.budget = budget;
    this.end = clock.instant().plus(budget);
  }

  public static Deadline after(Duration budget) {
    return new Deadline(Clock.systemUTC(), budget);
  }

  public static Deadline after(Clock clock, Duration budget) {
    return new Deadline(clock, budget);
  }

  public Duration remaining() {
    Duration left = Duration.between(clock.instant(), end);
    return left.isNegative() ? Duration.ZERO : left;
  }

  public boolean expired() {
    return !clock.instant().isBefore(end);
  }

  /** The whole budget this deadline was made with, for messages ("not ready within 5m"). */
  public Duration budget() {
    return budget;
  }
}
