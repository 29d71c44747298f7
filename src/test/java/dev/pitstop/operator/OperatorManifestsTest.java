package dev.pitstop.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.operator.Rendered.Role;
import dev.pitstop.operator.model.Migration;
import dev.pitstop.operator.model.MigrationSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What {@code operator/} installs and what the operator makes, checked against the generator, the
 * real picocli model and kubectl: the CRD is the generator's output, the install builds, the
 * ClusterRole grants what the operator uses and nothing of Secrets or the apps' workloads, the
 * config a Job gets has only {@code run}'s options, and the Jobs retry only what is worth it.
 */
class OperatorManifestsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void shippedCrdIsWhatTheGeneratorMakesFromTheJavaTypes() throws IOException {
    String generated =
        Files.readString(
            Path.of("target/classes/pitstop/operator/migrations.pitstop.dev-v1.yml"),
            StandardCharsets.UTF_8);
    assertThat(Files.readString(Path.of("operator/crd.yaml"), StandardCharsets.UTF_8))
        .as(
            "operator/crd.yaml: copy target/classes/pitstop/operator/migrations.pitstop.dev-v1.yml after `mvn process-classes`")
        .isEqualTo(generated);
    JsonNode crd = YAML.readTree(generated);
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("psm");
    JsonNode version = crd.at("/spec/versions/0");
    List<String> columns = new ArrayList<>();
    version.get("additionalPrinterColumns").forEach(c -> columns.add(c.get("name").asText()));
    assertThat(columns).containsExactlyInAnyOrder("App", "Phase", "Step", "Age");
    assertThat(version.at("/schema/openAPIV3Schema/x-kubernetes-validations/0/rule").asText())
        .contains("self.spec == oldSelf.spec", "oldSelf.status.approvedPlanHash");
    assertThat(version.at("/subresources/status").isObject()).isTrue();
  }

  @Test
  void kubectlKustomizeBuildsTheWholeInstall() throws Exception {
    Process kustomize =
        new ProcessBuilder("kubectl", "kustomize", "operator/").redirectErrorStream(true).start();
    String out = new String(kustomize.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kustomize.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(kustomize.exitValue()).as(out).isZero();
    List<String> kinds = new ArrayList<>();
    for (JsonNode doc : documents(out)) {
      kinds.add(doc.get("kind").asText());
      if (!List.of("Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding")
          .contains(doc.get("kind").asText())) {
        assertThat(doc.at("/metadata/namespace").asText()).isEqualTo("pitstop-system");
      }
    }
    assertThat(kinds)
        .containsExactlyInAnyOrder(
            "Namespace",
            "CustomResourceDefinition",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Deployment");
  }

  @Test
  void operatorMayNotReadSecretsNorTouchTheAppsWorkloads() throws IOException {
    Map<String, List<String>> granted = new java.util.TreeMap<>();
    for (JsonNode doc : documents(Files.readString(Path.of("operator/rbac.yaml")))) {
      if (!doc.has("rules")) {
        continue;
      }
      for (JsonNode rule : doc.get("rules")) {
        for (JsonNode resource : rule.get("resources")) {
          List<String> verbs = new ArrayList<>();
          rule.get("verbs").forEach(v -> verbs.add(v.asText()));
          granted.put(
              doc.get("kind").asText()
                  + ":"
                  + rule.at("/apiGroups/0").asText()
                  + "/"
                  + resource.asText(),
              verbs);
        }
      }
    }
    assertThat(granted)
        .containsOnly(
            Map.entry(
                "ClusterRole:pitstop.dev/migrations", List.of("get", "list", "watch", "patch")),
            Map.entry("ClusterRole:pitstop.dev/migrations/status", List.of("update", "patch")),
            Map.entry("ClusterRole:pitstop.dev/migrations/finalizers", List.of("update")),
            Map.entry(
                "ClusterRole:batch/jobs", List.of("get", "list", "watch", "create", "delete")),
            Map.entry(
                "ClusterRole:/configmaps", List.of("get", "list", "watch", "create", "update")),
            Map.entry("ClusterRole:/pods", List.of("get", "list")),
            Map.entry("ClusterRole:/events", List.of("create")),
            Map.entry("Role:coordination.k8s.io/leases", List.of("get", "create", "update")));
  }

  @Test
  void renderedConfigHoldsOnlyOptionsOfRun() {
    Migration migration = everything();
    Map<String, Object> config = Rendered.config(migration);
    PrintWriter none = new PrintWriter(new StringWriter());
    CommandLine cli =
        PitstopCli.create(
            new CliEnvironment(Map.of(), none, none, () -> null, Clock.systemUTC()),
            ConfigDefaults.load(Map.of(), new String[0]));
    CommandLine run = cli.getSubcommands().get("run");
    assertThat(config.keySet())
        .allSatisfy(
            key -> assertThat(run.getCommandSpec().findOption("--" + key)).as(key).isNotNull());
    // a list only for an option that takes several: the config file refuses one for the others
    assertThat(config)
        .allSatisfy(
            (key, value) ->
                assertThat(
                        !(value instanceof List<?>)
                            || run.getCommandSpec().findOption("--" + key).isMultiValue())
                    .as(key + " is a list, but --" + key + " takes one value")
                    .isTrue());
    assertThat(config).doesNotContainKeys("password", "db-password-file");
    assertThat(Rendered.configYaml(migration)).doesNotContain("secret-password");
  }

  @Test
  void jobsFailAtOnceOnExitCodesARetryCannotChangeAndGetThePasswordByReference() {
    Migration migration = everything();
    Job job = Rendered.job(migration, Role.RUN, "pitstop:test", true);
    var policy = job.getSpec().getPodFailurePolicy().getRules();
    assertThat(policy.get(0).getAction()).isEqualTo("FailJob");
    assertThat(policy.get(0).getOnExitCodes().getValues()).containsExactly(1, 2, 3, 4, 5, 70);
    assertThat(policy.get(1).getAction()).isEqualTo("Ignore");
    assertThat(policy.get(1).getOnPodConditions().get(0).getType()).isEqualTo("DisruptionTarget");
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getContainers().get(0).getArgs())
        .containsSubsequence("run", "--run-id", "uid-1234");
    EnvVar password =
        pod.getContainers().get(0).getEnv().stream()
            .filter(e -> e.getName().equals("PITSTOP_DB_PASSWORD"))
            .findFirst()
            .orElseThrow();
    assertThat(password.getValue()).isNull();
    assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("shop-db");
    assertThat(job.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(
            Rendered.job(migration, Role.FINISH, "pitstop:test", false)
                .getMetadata()
                .getOwnerReferences())
        .isEmpty();
  }

  @Test
  void exitCodesMapToPhases() {
    assertThat(Phase.ofExitCode(0)).isEqualTo(Phase.Succeeded);
    assertThat(Phase.ofExitCode(1)).isEqualTo(Phase.RolledBack);
    assertThat(Phase.ofExitCode(2)).isEqualTo(Phase.Failed);
    assertThat(Phase.ofExitCode(3)).as("another run holds the app: wait").isNull();
    assertThat(Phase.ofExitCode(4)).isEqualTo(Phase.NeedsAttention);
    assertThat(Phase.ofExitCode(75)).as("retried by the Job").isNull();
  }

  @Test
  void planSummaryFitsATerminationMessage() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add("warning " + i + " " + "x".repeat(100));
    }
    PlanSummary summary =
        new PlanSummary(
            5,
            null,
            "d1g35t",
            "plan: NOT runnable",
            many,
            many,
            List.of("deployment/web"),
            many,
            "10s–40s",
            null);
    String message = summary.toMessage();
    assertThat(message.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    PlanSummary read = PlanSummary.fromMessage(message);
    assertThat(read.digest()).isEqualTo("d1g35t");
    assertThat(read.blockers()).isNotEmpty();
    assertThat(read.runnable()).isFalse();
  }

  @Test
  void invalidSpecsAreNamedInOneSentenceEach() {
    MigrationSpec spec = everything().getSpec();
    spec.migrations.image = "registry.example.com/m:1";
    spec.window = new MigrationSpec.Window();
    spec.window.notBefore = "tomorrow";
    spec.timeout = "ten minutes";
    List<String> problems = MigrationReconciler.problems(spec);
    assertThat(problems).hasSize(3);
    assertThat(problems.get(0))
        .isEqualTo("spec.migrations needs exactly one of configMap, image and locations");
    assertThat(problems.get(1)).startsWith("spec.timeout: ").doesNotContain("\n");
    assertThat(problems.get(2))
        .isEqualTo(
            "spec.window.notBefore 'tomorrow' is not an RFC 3339 time, e.g. 2026-03-01T02:00:00Z");
  }

  private static Migration everything() {
    MigrationSpec spec = new MigrationSpec();
    spec.app = "shop";
    spec.workloads = List.of("deployment/web");
    spec.selector = "app=shop";
    spec.images = List.of("web=shop:2");
    spec.maintenance = new MigrationSpec.Maintenance();
    spec.maintenance.mode = "service";
    spec.maintenance.service = "web";
    spec.maintenance.maintenanceSelector = "app=maintenance-page";
    spec.database = new MigrationSpec.Database();
    spec.database.jdbcUrl = "jdbc:postgresql://db:5432/shop";
    spec.database.user = "shop";
    spec.database.passwordSecretRef = new MigrationSpec.SecretKey();
    spec.database.passwordSecretRef.name = "shop-db";
    spec.database.passwordSecretRef.key = "password";
    spec.database.maintenanceDatabase = "postgres";
    spec.database.lockTimeout = "5s";
    spec.database.statementTimeout = "1m";
    spec.database.terminateSessions = true;
    spec.database.sessionsTimeout = "10s";
    spec.migrations = new MigrationSpec.Migrations();
    spec.migrations.configMap = "shop-migrations";
    spec.flyway = new MigrationSpec.Flyway();
    spec.flyway.targetVersion = "2";
    spec.flyway.schemas = "public";
    spec.flyway.baselineOnMigrate = true;
    spec.flyway.outOfOrder = false;
    spec.flyway.placeholders = List.of("owner=shop");
    spec.flyway.atomic = false;
    spec.snapshot = true;
    spec.keep = 2;
    spec.backwardCompatible = true;
    spec.verify = new MigrationSpec.Verify();
    spec.verify.expectVersion = "2";
    spec.verify.allowPending = false;
    spec.smoke = new MigrationSpec.Smoke();
    spec.smoke.urls = List.of("http://web/healthz");
    spec.smoke.expectStatus = 200;
    spec.smoke.expectBody = "UP";
    spec.smoke.expectJson = "/status=UP";
    spec.smoke.interval = "2s";
    spec.keepDown = new MigrationSpec.KeepDown();
    spec.keepDown.deleteRunningJobs = true;
    spec.keepDown.pauseArgoCd = true;
    spec.keepDown.argoCdNamespace = "argocd";
    spec.timeout = "10m";
    spec.retries = 2;
    spec.releaseOnRollbackFailure = false;
    Migration migration = new Migration();
    migration.setMetadata(
        new ObjectMetaBuilder()
            .withName("release")
            .withNamespace("shop")
            .withUid("uid-1234")
            .build());
    migration.setSpec(spec);
    return migration;
  }

  private static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }
}
