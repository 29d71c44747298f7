package dev.pitstop.step;

import dev.pitstop.core.Deadline;
import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.http.HttpProbe;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP checks retried at an interval until every URL passes or the deadline passes. Read-only. It
 * runs while maintenance is still on, against the Service directly, so users never see a broken
 * version.
 */
public final class SmokeTestStep {
  /** Waits between rounds; tests pass a no-op. */
  @FunctionalInterface
  public interface Pause {
    void pause(Duration duration) throws InterruptedException;
  }

  private final HttpProbe probe;
  private final Deadline deadline;
  private final Duration interval;
  private final Progress progress;
  private final Pause pause;

  public SmokeTestStep(
      HttpProbe probe, Deadline deadline, Duration interval, Progress progress, Pause pause) {
    this.probe = probe;
    this.deadline = deadline;
    this.interval = interval;
    this.progress = progress;
    this.pause = pause;
  }

  public SmokeTestStep(HttpProbe probe, Deadline deadline, Duration interval, Progress progress) {
    this(probe, deadline, interval, progress, d -> Thread.sleep(d.toMillis()));
  }

  public StepResult check(List<SmokeCheck> checks) {
    Map<String, String> last = new LinkedHashMap<>();
    int rounds = 0;
    while (true) {
      rounds++;
      last.clear();
      for (SmokeCheck check : checks) {
        String problem = check.problem(probe.get(check.url(), check.headers()));
        if (problem != null) {
          last.put(check.url().toString(), problem);
        }
      }
      if (last.isEmpty()) {
        return StepResult.builder(
                "smoke test passed: " + checks.size() + " URL(s) after " + rounds + " round(s)")
            .field("urls", checks.size())
            .field("rounds", rounds)
            .build();
      }
      if (deadline.remaining().compareTo(interval) <= 0) {
        break;
      }
      progress.info("smoke test round " + rounds + ": " + last.size() + " URL(s) not passing yet");
      try {
        pause.pause(interval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw PitstopException.transientFailure("smoke test interrupted", e);
      }
    }
    StringBuilder message = new StringBuilder("smoke test failed after " + rounds + " round(s): ");
    last.forEach((url, problem) -> message.append(url).append(": ").append(problem).append("; "));
    message.setLength(message.length() - 2);
    throw PitstopException.failed(message.toString());
  }
}
