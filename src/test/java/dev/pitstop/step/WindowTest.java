package dev.pitstop.step;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.ledger.Ledger;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The maintenance window, split into time inside Pitstop's steps and time between them. */
class WindowTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  private static Instant at(double seconds) {
    return T0.plusMillis((long) (seconds * 1000));
  }

  /** Steps as a pipeline of one pod per step records them: a gap before each. */
  private static Ledger perStepPipeline() {
    Ledger ledger = new Ledger("r", "argo", T0);
    ledger.stepEnded("lock", at(0), at(1), true, 0, "locked");
    ledger.stepStarted("maintenance-on", at(5));
    ledger.putFact(Window.ON_AT, at(5.5).toString());
    ledger.stepEnded("maintenance-on", at(5), at(6), true, 0, "on");
    ledger.stepStarted("scale-down", at(10));
    ledger.stepEnded("scale-down", at(10), at(13), true, 0, "down");
    // migrate failed once with 75 and succeeded in a second pod
    ledger.stepStarted("migrate", at(17));
    ledger.stepEnded("migrate", at(17), at(19), false, 75, "lock_timeout");
    ledger.stepStarted("migrate", at(25));
    ledger.stepEnded("migrate", at(25), at(27), true, 0, "migrated");
    ledger.stepStarted("maintenance-off", at(31));
    return ledger;
  }

  @Test
  void theWindowRunsFromTheSwitchOnToTheSwitchOffAndSplitsPitstopFromTheGaps() {
    Window window = Window.of(perStepPipeline(), at(31.5)).orElseThrow();

    assertThat(window.total()).isEqualTo(Duration.ofMillis(26_000));
    assertThat(window.steps())
        .extracting(Window.StepTime::step)
        .containsExactly("maintenance-on", "scale-down", "migrate", "maintenance-off");
    assertThat(window.steps().get(0).inside()).isEqualTo(Duration.ofMillis(500));
    assertThat(window.steps().get(2).inside()).as("both attempts").isEqualTo(Duration.ofSeconds(4));
    assertThat(window.steps().get(2).attempts()).isEqualTo(2);
    assertThat(window.steps().get(3).inside()).isEqualTo(Duration.ofMillis(500));
    assertThat(window.inPitstop()).isEqualTo(Duration.ofSeconds(8));
    assertThat(window.betweenSteps()).isEqualTo(Duration.ofSeconds(18));
    assertThat(window.describe())
        .isEqualTo(
            "26.0s: 8.0s in Pitstop's steps (maintenance-on 500ms, scale-down 3.0s, migrate 4.0s,"
                + " maintenance-off 500ms), 18.0s between steps (pod starts, the orchestrator)");
  }

  /**
   * A one-pod run switched maintenance off; the pipeline's finish then runs maintenance-off again,
   * which finds nothing to do: the window it reports is still the one the run closed.
   */
  @Test
  void aMaintenanceOffStartedAgainAfterTheWindowKeepsItsEarlierTimeInside() {
    Ledger ledger = new Ledger("r", "argo", T0);
    ledger.stepEnded("lock", at(0), at(1), true, 0, "locked");
    ledger.putFact(Window.ON_AT, at(5).toString());
    ledger.stepEnded("maintenance-on", at(4), at(5), true, 0, "on");
    ledger.stepEnded("scale-down", at(10), at(11), true, 0, "down");
    ledger.stepStarted("maintenance-off", at(12));
    ledger.putFact(Window.OFF_AT, at(12.5).toString());
    ledger.stepEnded("maintenance-off", at(12), at(12.6), true, 0, "off");
    ledger.stepStarted("maintenance-off", at(20));

    Window window = Window.of(ledger, at(12.5)).orElseThrow();

    assertThat(window.total()).isEqualTo(Duration.ofMillis(7_500));
    assertThat(window.steps())
        .extracting(Window.StepTime::step, Window.StepTime::inside)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("scale-down", Duration.ofSeconds(1)),
            org.assertj.core.groups.Tuple.tuple("maintenance-off", Duration.ofMillis(600)));
  }

  @Test
  void noWindowWithoutMaintenance() {
    Ledger ledger = new Ledger("r", "ci", T0);
    ledger.stepEnded("lock", at(0), at(1), true, 0, "locked");

    assertThat(Window.of(ledger, at(10))).isEmpty();
  }
}
