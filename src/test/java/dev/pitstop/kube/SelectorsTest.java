package dev.pitstop.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorsTest {
  private static final LabelSelector WEB =
      new LabelSelectorBuilder()
          .addToMatchLabels(Map.of("app", "shop", "component", "web"))
          .build();

  @Test
  void matchLabelsNeedEveryLabelWithItsValue() {
    assertThat(Selectors.matches(WEB, Map.of("app", "shop", "component", "web", "x", "y")))
        .isTrue();
    assertThat(Selectors.matches(WEB, Map.of("app", "shop", "component", "worker"))).isFalse();
    assertThat(Selectors.matches(WEB, Map.of("app", "shop"))).isFalse();
    assertThat(Selectors.matches(WEB, null)).isFalse();
  }

  @Test
  void matchExpressionsFollowTheirOperator() {
    LabelSelector selector =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("tier")
            .withOperator("In")
            .withValues("web", "api")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("canary")
            .withOperator("DoesNotExist")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("env")
            .withOperator("NotIn")
            .withValues("test")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("app")
            .withOperator("Exists")
            .endMatchExpression()
            .build();
    assertThat(Selectors.matches(selector, Map.of("app", "a", "tier", "api"))).isTrue();
    assertThat(Selectors.matches(selector, Map.of("app", "a", "tier", "api", "env", "prod")))
        .isTrue();
    assertThat(Selectors.matches(selector, Map.of("app", "a", "tier", "db"))).isFalse();
    assertThat(Selectors.matches(selector, Map.of("app", "a", "tier", "web", "canary", "1")))
        .isFalse();
    assertThat(Selectors.matches(selector, Map.of("app", "a", "tier", "web", "env", "test")))
        .isFalse();
    assertThat(Selectors.matches(selector, Map.of("tier", "web"))).isFalse();
  }

  @Test
  void commonLabelsAreThoseEverySelectorRequires() {
    LabelSelector worker =
        new LabelSelectorBuilder()
            .addToMatchLabels(Map.of("app", "shop", "component", "worker"))
            .build();
    LabelSelector other = new LabelSelectorBuilder().addToMatchLabels("app", "blog").build();
    assertThat(Selectors.commonLabels(List.of(WEB, worker))).isEqualTo(Map.of("app", "shop"));
    assertThat(Selectors.commonLabels(List.of(WEB, other))).isEmpty();
    assertThat(Selectors.commonLabels(List.of(WEB))).isEqualTo(WEB.getMatchLabels());
    assertThat(Selectors.commonLabels(List.of())).isEmpty();
  }
}
