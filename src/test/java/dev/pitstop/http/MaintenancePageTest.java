package dev.pitstop.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

class MaintenancePageTest {

  @ParameterizedTest(name = "[{0}] -> json {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "application/json|true",
        "application/json, text/plain, */*|true",
        "application/*|true",
        "text/html;q=0.5, application/json|true",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8|false",
        "*/*|false",
        "text/html, application/json|false",
        "application/json;q=0.5, text/html|false",
        "application/json;q=0|false",
        "application/json;q=0.9, */*;q=1|false",
        "application/json, */*;q=0.1|true",
        "text/plain|false",
        "APPLICATION/JSON|true",
        "application/json;q=oops|true",
        "garbage|false"
      })
  void jsonOnlyWhenTheAcceptHeaderPrefersIt(String accept, boolean json) {
    assertThat(MaintenancePage.prefersJson(accept)).isEqualTo(json);
  }

  @ParameterizedTest
  @NullAndEmptySource
  void noAcceptHeaderGetsHtml(String accept) {
    assertThat(MaintenancePage.prefersJson(accept)).isFalse();
  }

  @ParameterizedTest(name = "{0}s -> {1}")
  @CsvSource({
    "30, a minute or so",
    "300, about 5 minutes",
    "3600, about an hour",
    "10800, about 3 hours"
  })
  void thePageSaysTheDelayInWords(long seconds, String words) {
    assertThat(MaintenancePage.humanDelay(seconds)).isEqualTo(words);
    String html =
        new String(
            MaintenancePage.builtIn("Down", "Back soon", Duration.ofSeconds(seconds)).html(),
            StandardCharsets.UTF_8);
    assertThat(html).contains("try again in " + words);
  }
}
