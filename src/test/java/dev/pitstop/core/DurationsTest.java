package dev.pitstop.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesTheFormsUsersWrite() {
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void rejectsAnythingElseAsBadInput() {
    for (String bad : new String[] {"", "5", "m5", "5 m", "-5s", "5d", "1.5h"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .isInstanceOf(PitstopException.class)
          .hasMessageContaining("write it like 90s")
          .extracting(e -> ((PitstopException) e).exitCode())
          .isEqualTo(ExitCode.USAGE);
    }
  }

  @Test
  void formatsShortly() {
    assertThat(Durations.format(Duration.ofMillis(420))).isEqualTo("420ms");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Durations.format(Duration.ofSeconds(184))).isEqualTo("3m04s");
    assertThat(Durations.format(Duration.ofMinutes(125))).isEqualTo("2h05m");
  }
}
