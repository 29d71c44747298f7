package dev.pitstop.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
  @Test
  void ordinaryNamesAreAcceptedAndQuoted() {
    assertThat(Identifiers.quote("database", "orders")).isEqualTo("\"orders\"");
    assertThat(Identifiers.quote("database", "My-App_2$")).isEqualTo("\"My-App_2$\"");
    assertThat(Identifiers.requireValid("database", "a".repeat(63))).hasSize(63);
  }

  @Test
  void hostileOrOversizedNamesAreUsageErrors() {
    for (String name :
        new String[] {
          "",
          "a".repeat(64),
          "x\"; DROP DATABASE postgres; --",
          "1abc",
          "-abc",
          "with space",
          "semi;colon",
          "quote'",
          "é".repeat(40),
          "line\nbreak"
        }) {
      PitstopException failure =
          catchThrowableOfType(
              PitstopException.class, () -> Identifiers.requireValid("database", name));
      assertThat(failure.exitCode()).as(name).isEqualTo(ExitCode.USAGE);
      assertThat(failure.getMessage()).as(name).doesNotContain("\n");
    }
  }

  @Test
  void literalsDoubleSingleQuotes() {
    assertThat(Identifiers.literal("it's")).isEqualTo("'it''s'");
  }
}
