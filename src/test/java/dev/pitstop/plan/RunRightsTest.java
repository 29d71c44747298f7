package dev.pitstop.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.kube.AccessReviews.Right;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rights a plan checks are the shipped RBAC's: together, the runs of every mode need exactly
 * what the shipped Roles grant (Argo's executor aside), so a Role change that the plan does not
 * follow, or the other way round, fails here.
 */
class RunRightsTest {
  /** Argo's executor reports outputs through WorkflowTaskResults: not Pitstop's own calls. */
  private static final Set<String> EXECUTOR =
      Set.of("argoproj.io workflowtaskresults create", "argoproj.io workflowtaskresults patch");

  private static Set<String> granted(Path file) throws IOException {
    Set<String> rules = new LinkedHashSet<>();
    try (var parser = ShippedPipelines.YAML.getFactory().createParser(file.toFile())) {
      for (JsonNode doc : ShippedPipelines.YAML.readValues(parser, JsonNode.class).readAll()) {
        if (!"Role".equals(doc.path("kind").asText())) {
          continue;
        }
        for (JsonNode rule : doc.path("rules")) {
          for (JsonNode group : rule.path("apiGroups")) {
            for (JsonNode resource : rule.path("resources")) {
              for (JsonNode verb : rule.path("verbs")) {
                rules.add(key(group.asText(), resource.asText(), verb.asText()));
              }
            }
          }
        }
      }
    }
    rules.removeAll(EXECUTOR);
    return rules;
  }

  private static String key(String group, String resource, String verb) {
    return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
  }

  /** What every run together needs, in the app's namespace; Argo CD's apart. */
  private static Set<String> everyRun(boolean argoCd) {
    Set<String> needed = new LinkedHashSet<>();
    for (String mode : List.of("configmap", "service", "ingress", "httproute")) {
      for (RunRights.Needed n :
          RunRights.of(
              new RunRights.Scope(
                  "shop",
                  Set.of("deployment", "statefulset", "cronjob"),
                  true,
                  true,
                  mode,
                  Set.of("argocd"),
                  true,
                  true))) {
        Right r = n.right();
        if (r.namespace().equals("argocd") == argoCd) {
          needed.add(key(r.group(), r.resource(), r.verb()));
        }
      }
    }
    return needed;
  }

  @Test
  void everyRunTogetherNeedsExactlyWhatTheShippedRolesGrant() throws IOException {
    for (Path role :
        List.of(
            Path.of("workflow-templates", "rbac.yaml"),
            Path.of("tekton-tasks", "rbac", "rbac.yaml"))) {
      assertThat(everyRun(false))
          .as(role.toString())
          .containsExactlyInAnyOrderElementsOf(granted(role));
    }
  }

  @Test
  void pausingArgoCdNeedsWhatTheOptInRoleGrants() throws IOException {
    assertThat(everyRun(true))
        .containsExactlyInAnyOrderElementsOf(
            granted(Path.of("workflow-templates", "rbac-argocd.yaml")));
  }

  @Test
  void aRunNeedsOnlyTheRightsOfWhatItTouches() {
    List<RunRights.Needed> small =
        RunRights.of(
            new RunRights.Scope(
                "shop", Set.of("deployment"), false, false, "configmap", Set.of(), false, false));

    assertThat(small)
        .extracting(n -> key(n.right().group(), n.right().resource(), n.right().verb()))
        .doesNotContain(
            "apps statefulsets update",
            "batch cronjobs update",
            "core services update",
            "keda.sh scaledobjects update",
            "argoproj.io applications update")
        .contains("apps deployments update", "core configmaps create", "core pods watch");
  }
}
