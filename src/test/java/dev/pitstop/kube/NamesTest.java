package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitstop.core.PitstopException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Label selectors as users type them for kubectl. */
class NamesTest {
  @Test
  void equalitySelectorsAreReadInEveryFormKubectlAccepts() {
    assertThat(Names.selector("-l", "app=web,tier=front"))
        .containsExactly(Map.entry("app", "web"), Map.entry("tier", "front"));
    assertThat(Names.selector("-l", "app==web")).containsExactly(Map.entry("app", "web"));
    assertThat(Names.selector("-l", "app in (web), tier = front"))
        .containsExactly(Map.entry("app", "web"), Map.entry("tier", "front"));
  }

  @Test
  void selectorsPitstopCannotMatchAreRefusedWithTheWayToWriteThem() {
    assertThatThrownBy(() -> Names.selector("-l", "app in (web,api)"))
        .isInstanceOf(PitstopException.class)
        .hasMessageContaining("one value per label: write app=web");
    for (String unsupported : new String[] {"app!=web", "!app", "app", "app notin (web)"}) {
      assertThatThrownBy(() -> Names.selector("-l", unsupported))
          .as(unsupported)
          .isInstanceOf(PitstopException.class)
          .hasMessageContaining("only equality is supported");
    }
  }
}
