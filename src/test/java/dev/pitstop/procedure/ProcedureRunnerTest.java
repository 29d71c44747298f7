package dev.pitstop.procedure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.procedure.ProcedureRunner.Outcome;
import dev.pitstop.procedure.ProcedureRunner.State;
import dev.pitstop.procedure.ProcedureRunner.StepOutcome;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcedureRunnerTest {
  private final List<String> ran = new ArrayList<>();
  private Set<String> unforeseen = Set.of();

  private static final ProcedureRunner.Settings WHOLE =
      new ProcedureRunner.Settings(false, 0, Duration.ofMillis(1), true, Duration.ofMinutes(1));

  /**
   * What a pipeline that switches maintenance on itself gives one pod: scale-down to
   * maintenance-off, the lock left to finish.
   */
  private static final ProcedureRunner.Settings ONE_POD = WHOLE.from(Procedure.SCALE_DOWN, false);

  /** What the shipped pipelines' one pod runs: maintenance-on to maintenance-off. */
  private static final ProcedureRunner.Settings SHIPPED_WINDOW =
      WHOLE.from(Procedure.WINDOW_START, false);

  private Outcome run(Set<String> failing) {
    return run(failing, WHOLE);
  }

  private Outcome run(Set<String> failing, ProcedureRunner.Settings settings) {
    Map<String, ProcedureRunner.Action> actions = new LinkedHashMap<>();
    for (String step :
        List.of(
            "lock",
            "maintenance-on",
            "scale-down",
            "snapshot",
            "migrate",
            "verify",
            "scale-up",
            "smoke-test",
            "rollback",
            "maintenance-off",
            "unlock")) {
      actions.put(
          step,
          () -> {
            ran.add(step);
            if (failing.contains(step)) {
              throw PitstopException.failed(step + " refused (403)");
            }
            if (unforeseen.contains(step)) {
              throw new IllegalStateException(step + ": a library's own exception\nsecond line");
            }
            return StepResult.builder(step + " done").build();
          });
    }
    return new ProcedureRunner(
            actions,
            settings,
            new Progress(new PrintWriter(Writer.nullWriter()), false),
            Clock.systemUTC(),
            d -> {})
        .run();
  }

  @Test
  void anUnlockThatFailsAfterMaintenanceOffPutsMaintenanceBackOn() {
    Outcome outcome = run(Set.of("unlock"));

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(ran).endsWith("maintenance-off", "unlock", "maintenance-on");
    assertThat(outcome.summary())
        .isEqualTo(
            "migrated, but unlock failed: maintenance is back on and the lock held; run `pitstop"
                + " status` for what is left");
    assertThat(outcome.steps())
        .extracting(StepOutcome::step, StepOutcome::state)
        .endsWith(
            org.assertj.core.groups.Tuple.tuple("unlock", State.FAILED),
            org.assertj.core.groups.Tuple.tuple("maintenance-on", State.SUCCEEDED));
  }

  @Test
  void aMaintenanceOffThatFailsKeepsTheLockAndSwitchesNothingBackOn() {
    Outcome outcome = run(Set.of("maintenance-off"));

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(ran).endsWith("smoke-test", "maintenance-off");
    assertThat(outcome.summary())
        .isEqualTo("migrated, but maintenance-off failed; run `pitstop status` for what is left");
  }

  @Test
  void aCleanRunEndsMigratedAndUpWithoutGoingBackIntoMaintenance() {
    Outcome outcome = run(Set.of());

    assertThat(outcome.exitCode()).isZero();
    assertThat(ran).containsOnlyOnce("maintenance-on").endsWith("maintenance-off", "unlock");
  }

  @Test
  void aRunFromScaleDownStartsThereAndStopsAfterMaintenanceOffLeavingTheLockToFinish() {
    Outcome outcome = run(Set.of(), ONE_POD);

    assertThat(outcome.exitCode()).isZero();
    assertThat(ran)
        .containsExactly(
            "scale-down", "migrate", "verify", "scale-up", "smoke-test", "maintenance-off");
    assertThat(outcome.summary())
        .isEqualTo("migrated and up; maintenance off; the lock is left for finish");
    assertThat(outcome.steps())
        .extracting(StepOutcome::step, StepOutcome::state)
        .startsWith(org.assertj.core.groups.Tuple.tuple("scale-down", State.SUCCEEDED))
        .contains(
            org.assertj.core.groups.Tuple.tuple("snapshot", State.SKIPPED),
            org.assertj.core.groups.Tuple.tuple("rollback", State.SKIPPED))
        .endsWith(org.assertj.core.groups.Tuple.tuple("unlock", State.SKIPPED))
        .noneMatch(t -> t.toList().get(0).equals("lock"))
        .noneMatch(t -> t.toList().get(0).equals("maintenance-on"));
  }

  @Test
  void theShippedWindowSwitchesMaintenanceOnAndOffItselfLeavingTheLockToFinish() {
    Outcome outcome = run(Set.of(), SHIPPED_WINDOW);

    assertThat(outcome.exitCode()).isZero();
    assertThat(ran)
        .containsExactly(
            "maintenance-on",
            "scale-down",
            "migrate",
            "verify",
            "scale-up",
            "smoke-test",
            "maintenance-off");
    assertThat(outcome.summary())
        .isEqualTo("migrated and up; maintenance off; the lock is left for finish");
  }

  @Test
  void theShippedWindowRollsBackAFailedMaintenanceOnAndSwitchesItOff() {
    Outcome outcome = run(Set.of("maintenance-on"), SHIPPED_WINDOW);

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(ran).containsExactly("maintenance-on", "rollback", "maintenance-off");
  }

  @Test
  void aOnePodRunThatFailsRollsBackAndSwitchesMaintenanceOffButKeepsTheLock() {
    Outcome outcome = run(Set.of("verify"), ONE_POD);

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(ran).endsWith("verify", "rollback", "maintenance-off").doesNotContain("unlock");
    assertThat(outcome.summary())
        .isEqualTo("verify failed; rolled back; the lock is left for finish");
  }

  @Test
  void aOnePodRunWhoseRollbackFailsLeavesMaintenanceOnAndTheLockHeld() {
    Outcome outcome = run(Set.of("migrate", "rollback"), ONE_POD);

    assertThat(outcome.exitCode()).isEqualTo(4);
    assertThat(ran).endsWith("migrate", "rollback").doesNotContain("maintenance-off", "unlock");
  }

  @Test
  void aOnePodRunWhoseMaintenanceOffFailsSaysFinishSwitchesItOff() {
    Outcome outcome = run(Set.of("maintenance-off"), ONE_POD);

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(ran).endsWith("smoke-test", "maintenance-off").doesNotContain("maintenance-on");
    assertThat(outcome.summary())
        .isEqualTo(
            "migrated, but maintenance-off failed; finish switches it off from the run record;"
                + " the lock is left for finish");
  }

  @Test
  void anUnforeseenExceptionFailsTheStepAndTheRunRollsBackAndCloses() {
    unforeseen = Set.of("migrate");

    Outcome outcome = run(Set.of());

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(ran).endsWith("migrate", "rollback", "maintenance-off", "unlock");
    assertThat(outcome.steps())
        .filteredOn(o -> o.step().equals("migrate"))
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.state()).isEqualTo(State.FAILED);
              assertThat(o.message())
                  .isEqualTo("IllegalStateException: migrate: a library's own exception");
            });
    assertThat(outcome.summary()).isEqualTo("migrate failed; rolled back");
  }

  @Test
  void aTransientFailureIsRetriedUnlessTheStepAlreadyWaitedItsWholeTimeout() {
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(
            java.time.Instant.parse("2026-12-06T10:00:00Z"));
    Clock clock =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public java.time.Instant instant() {
            return now.get();
          }
        };
    List<String> attempts = new ArrayList<>();
    Map<String, ProcedureRunner.Action> actions = new LinkedHashMap<>();
    actions.put(
        "lock",
        () -> {
          attempts.add("lock");
          // the step retried until its deadline before giving up
          now.set(now.get().plus(Duration.ofMinutes(10)));
          throw PitstopException.transientFailure("the Kubernetes API is unreachable", null);
        });
    ProcedureRunner.Outcome outcome =
        new ProcedureRunner(
                actions,
                new ProcedureRunner.Settings(
                    false, 3, Duration.ofMillis(1), true, Duration.ofMinutes(10)),
                new Progress(new PrintWriter(Writer.nullWriter()), false),
                clock,
                d -> {})
            .run();

    assertThat(attempts).hasSize(1);
    assertThat(outcome.exitCode()).isEqualTo(75);

    attempts.clear();
    actions.put(
        "lock",
        () -> {
          attempts.add("lock");
          throw PitstopException.transientFailure("lock_timeout", null);
        });
    new ProcedureRunner(
            actions,
            new ProcedureRunner.Settings(
                false, 3, Duration.ofMillis(1), true, Duration.ofMinutes(10)),
            new Progress(new PrintWriter(Writer.nullWriter()), false),
            clock,
            d -> {})
        .run();

    assertThat(attempts).as("a quick transient failure is retried").hasSize(4);

    // a step with a longer deadline of its own is retried after a wait its default would end
    attempts.clear();
    actions.put(
        "lock",
        () -> {
          attempts.add("lock");
          now.set(now.get().plus(Duration.ofMinutes(10)));
          throw PitstopException.transientFailure("lock_timeout", null);
        });
    new ProcedureRunner(
            actions,
            new ProcedureRunner.Settings(
                    false, 1, Duration.ofMillis(1), true, Duration.ofMinutes(10))
                .withStepTimeouts(Map.of("lock", Duration.ofMinutes(55))),
            new Progress(new PrintWriter(Writer.nullWriter()), false),
            clock,
            d -> {})
        .run();

    assertThat(attempts).as("10 minutes of its 55").hasSize(2);
  }
}
