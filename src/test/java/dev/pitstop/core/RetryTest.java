package dev.pitstop.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
  /** A clock the sleeper moves forward, so backoff is tested without waiting. */
  private static final class FakeTime extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    final List<Duration> sleeps = new ArrayList<>();

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void sleep(Duration duration) {
      sleeps.add(duration);
      now = now.plus(duration);
    }
  }

  private final FakeTime time = new FakeTime();
  private final Retry retry = new Retry(e -> PitstopException.failed(e.getMessage()), time::sleep);

  @Test
  void transientFailuresAreRetriedWithGrowingBackoffUntilSuccess() {
    AtomicInteger attempts = new AtomicInteger();

    String result =
        retry.call(
            "read",
            Deadline.after(time, Duration.ofMinutes(1)),
            () -> {
              if (attempts.incrementAndGet() < 4) {
                throw PitstopException.transientFailure("503", null);
              }
              return "ok";
            });

    assertThat(result).isEqualTo("ok");
    assertThat(attempts).hasValue(4);
    assertThat(time.sleeps).hasSize(3);
    assertThat(time.sleeps.get(2)).isGreaterThan(time.sleeps.get(0));
  }

  @Test
  void givesUpWithExit75WhenTheDeadlinePasses() {
    assertThatThrownBy(
            () ->
                retry.call(
                    "read",
                    Deadline.after(time, Duration.ofSeconds(5)),
                    () -> {
                      throw PitstopException.transientFailure("429 too many requests", null);
                    }))
        .isInstanceOf(PitstopException.class)
        .hasMessageContaining("still failing after")
        .hasMessageContaining("429 too many requests")
        .extracting(e -> ((PitstopException) e).exitCode())
        .isEqualTo(ExitCode.TRANSIENT);
    assertThat(time.sleeps.stream().mapToLong(Duration::toMillis).sum()).isLessThanOrEqualTo(5000);
  }

  @Test
  void otherFailuresAreNotRetried() {
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                retry.call(
                    "read",
                    Deadline.after(time, Duration.ofMinutes(1)),
                    () -> {
                      attempts.incrementAndGet();
                      throw new IllegalStateException("boom");
                    }))
        .extracting(e -> ((PitstopException) e).exitCode())
        .isEqualTo(ExitCode.FAILED);
    assertThat(attempts).hasValue(1);
  }
}
