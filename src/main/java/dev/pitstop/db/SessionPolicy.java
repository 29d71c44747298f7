package dev.pitstop.db;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What to do about other sessions on a database Pitstop is about to change or copy.
 *
 * <p>By default Pitstop waits for them to leave (scale-down has normally stopped the app, and a
 * straggler usually disconnects within seconds) and then gives up with exit 75, printing who is
 * still there, so that nobody's work is cut off without a decision. {@code terminate} ends them
 * with {@code pg_terminate_backend} and waits until they are really gone. Sessions of the listed
 * applications (a monitoring agent, say) are reported but neither waited for nor ended.
 *
 * @param terminate end other sessions instead of waiting for them
 * @param maxWait how long to wait for sessions to leave (or to die after being terminated)
 * @param ignoredApplications application names whose sessions are left alone
 */
public record SessionPolicy(boolean terminate, Duration maxWait, Set<String> ignoredApplications) {
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  public SessionPolicy {
    Objects.requireNonNull(maxWait, "maxWait");
    ignoredApplications = ignoredApplications == null ? Set.of() : Set.copyOf(ignoredApplications);
  }

  public static SessionPolicy waitFor(Duration wait) {
    return new SessionPolicy(false, wait, Set.of());
  }

  public static SessionPolicy terminateWithin(Duration wait) {
    return new SessionPolicy(true, wait, Set.of());
  }

  public SessionPolicy ignoring(String... applicationNames) {
    return new SessionPolicy(terminate, maxWait, Set.of(applicationNames));
  }
}
