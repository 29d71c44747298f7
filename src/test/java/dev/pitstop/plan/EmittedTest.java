package dev.pitstop.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.plan.Consumer.SecretKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one mapping from Pitstop's options to the shipped pipelines' parameters, checked against the
 * real picocli model and the YAML as shipped, and each emitted form checked the same way.
 */
class EmittedTest {
  @TempDir Path dir;

  private static CommandLine commandLine(Map<String, String> env, String... args) {
    PrintWriter none = new PrintWriter(new StringWriter());
    return PitstopCli.create(
        new CliEnvironment(env, none, none, () -> null, Clock.systemUTC()),
        ConfigDefaults.load(env, args));
  }

  /** A plan's proposal with every kind of value: lists, booleans, a multi-line list. */
  private static Proposal proposal() {
    Proposal proposal = new Proposal();
    proposal
        .put("app", "shop", null)
        .put("namespace", "shop", null)
        .put("workload", List.of("deployment/web", "statefulset/worker", "cronjob/report"), "found")
        .put("mode", "httproute", "found")
        .put("httproute", "shop", null)
        .put("maintenance-backend", "maintenance-page:80", null)
        .put("jdbc-url", "jdbc:postgresql://db.shop.svc:5432/shop", null)
        .put("db-user", "shop", null)
        .put("locations", List.of("filesystem:/migrations"), null)
        .put("atomic", false, "V5 cannot run in a transaction")
        .put("snapshot", true, "V5 cannot run in a transaction")
        .put("url", "http://shop-web.shop.svc:80/healthz", null)
        .put("pause-argocd", true, "self-heal");
    proposal.password(new SecretKey("shop-db-app", "password"));
    return proposal;
  }

  @Test
  void everyMappedOptionIsAnOptionOfRun() {
    CommandSpec run = commandLine(Map.of()).getSubcommands().get("run").getCommandSpec();

    assertThat(Emitted.PARAMETERS)
        .allSatisfy(p -> assertThat(run.findOption("--" + p.option())).as(p.option()).isNotNull());
  }

  @Test
  void everyMappedArgoParameterIsOneOfTheShippedTemplates() {
    assertThat(ShippedPipelines.argoParameters().keySet())
        .containsAll(
            Emitted.PARAMETERS.stream()
                .map(Emitted.Parameter::argo)
                .filter(Objects::nonNull)
                .toList())
        .contains(Emitted.PASSWORD_SECRET.argo(), Emitted.PASSWORD_KEY.argo());
  }

  @Test
  void everyMappedTektonParameterIsOneOfTheShippedPipelines() {
    assertThat(ShippedPipelines.tektonParameters().keySet())
        .containsAll(
            Emitted.PARAMETERS.stream()
                .map(Emitted.Parameter::tekton)
                .filter(Objects::nonNull)
                .toList())
        .contains(Emitted.PASSWORD_SECRET.tekton(), Emitted.PASSWORD_KEY.tekton());
  }

  @Test
  void theConfigFileHasOnlyRealOptionNamesAndTheirValues() throws Exception {
    String config = Emitted.config(proposal());
    Path file = dir.resolve("pitstop.yaml");
    Files.writeString(file, config);
    String[] args = {"run", "--config", file.toString()};
    ConfigDefaults defaults = ConfigDefaults.load(Map.of(), args);

    assertThatCode(() -> defaults.checkKeys(commandLine(Map.of(), args)))
        .doesNotThrowAnyException();
    JsonNode yaml = ShippedPipelines.YAML.readTree(config);
    assertThat(yaml.path("workload")).hasSize(3);
    assertThat(yaml.path("atomic").isBoolean()).isTrue();
    assertThat(config)
        .contains("# atomic: V5 cannot run in a transaction")
        .contains("secret/shop-db-app key password")
        .doesNotContain("password:");
  }

  @Test
  void theArgoCommandUsesTheTemplatesParametersAndPassesArgosSchema() throws Exception {
    String command = Emitted.argo(proposal(), "shop");

    Map<String, String> arguments = ShippedPipelines.checkArgo(command);

    assertThat(arguments)
        .containsEntry("workloads", "deployment/web\nstatefulset/worker\ncronjob/report")
        .containsEntry("maintenance-mode", "httproute")
        .containsEntry("atomic", "false")
        .containsEntry("snapshot", "true")
        .containsEntry("db-password-secret", "shop-db-app")
        .containsEntry("smoke-urls", "http://shop-web.shop.svc:80/healthz")
        .doesNotContainKey("locations");
    assertThat(command)
        .startsWith("# No pipeline parameter carries --locations, --pause-argocd")
        .contains("-n shop --from workflowtemplate/pitstop-migration");
  }

  @Test
  void thePipelineRunUsesThePipelinesParams() throws Exception {
    String run = Emitted.tekton(proposal(), "shop");

    Map<String, String> params = ShippedPipelines.checkTekton(run);

    assertThat(params)
        .containsEntry("workloads", "deployment/web\nstatefulset/worker\ncronjob/report")
        .containsEntry("atomic", "false")
        .containsEntry("db-secret", "shop-db-app")
        .doesNotContainKey("locations");
    assertThat(run).contains("No pipeline parameter carries --locations, --pause-argocd");
  }

  @Test
  void shellQuotingKeepsEveryValueIntact() {
    for (String value : List.of("plain", "two words", "it's", "a\nb", "$(x) `y`", "back\\slash")) {
      String command = "echo " + Emitted.shell(value);
      assertThat(ShippedPipelines.words(command)).containsExactly("echo", value);
    }
  }
}
