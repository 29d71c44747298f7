package dev.pitstop.maintenancepage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/** The shipped maintenance page Deployment and Service, checked against the real command. */
class MaintenancePageManifestTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path ROOT = Path.of("maintenance-page");

  private static JsonNode read(String... path) throws IOException {
    return YAML.readTree(Path.of(ROOT.toString(), path).toFile());
  }

  private static CommandLine commandLine() {
    PrintWriter none = new PrintWriter(new StringWriter());
    return PitstopCli.create(
        new CliEnvironment(Map.of(), none, none, () -> null, Clock.systemUTC()),
        ConfigDefaults.load(Map.of(), new String[0]));
  }

  private static JsonNode container() throws IOException {
    return read("deployment.yaml")
        .path("spec")
        .path("template")
        .path("spec")
        .path("containers")
        .get(0);
  }

  @Test
  void theContainerRunsServeMaintenanceOnThePortItsProbesAndServiceUse() throws IOException {
    JsonNode container = container();
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));

    ParseResult parsed = commandLine().parseArgs(args.toArray(String[]::new));
    CommandSpec serve = parsed.subcommand().commandSpec();

    assertThat(serve.name()).isEqualTo("serve-maintenance");
    int port = parsed.subcommand().matchedOptionValue("--port", 8080);
    JsonNode containerPort = container.path("ports").get(0);
    assertThat(containerPort.path("containerPort").asInt()).isEqualTo(port);
    String portName = containerPort.path("name").asText();
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      assertThat(container.path(probe).path("httpGet").path("path").asText())
          .as(probe)
          .isEqualTo("/healthz");
      assertThat(container.path(probe).path("httpGet").path("port").asText())
          .as(probe)
          .isEqualTo(portName);
    }
    JsonNode service = read("service.yaml");
    assertThat(service.path("spec").path("ports").get(0).path("targetPort").asText())
        .isEqualTo(portName);
    assertThat(service.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(80);
    assertThat(service.path("metadata").path("name").asText()).isEqualTo("maintenance-page");
  }

  @Test
  void theServiceSelectsThePodsAndEveryEnvVariableNamesAnOptionOfTheCommand() throws IOException {
    JsonNode deployment = read("deployment.yaml");
    JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
    read("service.yaml")
        .path("spec")
        .path("selector")
        .fields()
        .forEachRemaining(e -> assertThat(podLabels.path(e.getKey())).isEqualTo(e.getValue()));
    CommandSpec serve = commandLine().getSubcommands().get("serve-maintenance").getCommandSpec();
    for (JsonNode env : container().path("env")) {
      String name = env.path("name").asText();
      if (!name.startsWith("PITSTOP_")) {
        continue;
      }
      assertThat(
              serve.options().stream()
                  .anyMatch(o -> ConfigDefaults.envName(o.longestName().substring(2)).equals(name)))
          .as(name + " names an option of serve-maintenance")
          .isTrue();
      assertThat(env.path("valueFrom").path("configMapKeyRef").path("optional").asBoolean())
          .as(name + " comes from an optional key")
          .isTrue();
    }
    assertThat(
            deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("automountServiceAccountToken")
                .asBoolean(true))
        .as("the page needs no Kubernetes API")
        .isFalse();
  }

  @Test
  void bothPipelineKustomizationsIncludeTheSharedFolderWhichListsItsFiles() throws IOException {
    List<String> own = new ArrayList<>();
    read("kustomization.yaml").path("resources").forEach(r -> own.add(r.asText()));
    assertThat(own).containsExactlyInAnyOrder("deployment.yaml", "service.yaml");
    for (String folder : List.of("workflow-templates", "tekton-tasks")) {
      List<String> resources = new ArrayList<>();
      YAML.readTree(Path.of(folder, "kustomization.yaml").toFile())
          .path("resources")
          .forEach(r -> resources.add(r.asText()));
      assertThat(resources).as(folder).contains("../maintenance-page");
    }
  }
}
