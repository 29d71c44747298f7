package dev.pitstop.step;

import dev.pitstop.core.Retry;

/** What the steps share and nobody outside them needs. */
final class Steps {
  /** Real waiting between polls and retries; tests pass their own. */
  static final Retry.Sleeper SLEEP = duration -> Thread.sleep(duration.toMillis());

  private Steps() {}

  /** {@code 1 replica}, {@code 3 replicas}. */
  static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }
}
