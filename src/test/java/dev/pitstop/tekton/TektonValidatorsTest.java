package dev.pitstop.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.tekton.TektonFiles.Doc;
import dev.pitstop.tekton.TektonTools.Output;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every shipped document as Tekton's admission webhooks see it (strict decoding, defaults,
 * validation) on the oldest release the Tasks claim and on v1.0, with the shared checkers.
 */
class TektonValidatorsTest {
  private static final TektonFiles FILES = TektonFiles.load();

  private static List<String> lines(Output output, String prefix) {
    return output.out().lines().filter(l -> l.startsWith(prefix)).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {TektonTools.OLDEST, TektonTools.NEWEST})
  void everyShippedDocumentIsAcceptedWithDefaultFlags(String release) {
    Output output = TektonTools.run(release, List.of(TektonFiles.ROOT.toString()));

    assertThat(lines(output, "FAIL")).as(output.out()).isEmpty();
    assertThat(output.exitCode()).as(output.out()).isZero();
    long tekton =
        FILES.all().stream()
            .filter(d -> d.node().path("apiVersion").asText().startsWith("tekton.dev/"))
            .count();
    assertThat(lines(output, "OK")).hasSize((int) tekton);
  }

  @ParameterizedTest
  @ValueSource(strings = {TektonTools.OLDEST, TektonTools.NEWEST})
  void theFleetIsAcceptedWhereMatrixIsBeta(String release) {
    Output output =
        TektonTools.run(
            release,
            List.of(
                "--flags", "beta", TektonFiles.ROOT.resolve("pipeline/pitstop-fleet").toString()));

    assertThat(output.exitCode()).as(output.out()).isZero();
    assertThat(lines(output, "OK")).hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {TektonTools.OLDEST, TektonTools.NEWEST})
  void theBaseInstallIsAcceptedWhereOnlyStableFieldsAreAllowed(String release) {
    List<String> args = new ArrayList<>(List.of("--flags", "stable"));
    args.addAll(baseResources());

    Output output = TektonTools.run(release, args);

    assertThat(lines(output, "FAIL")).as(output.out()).isEmpty();
    assertThat(output.exitCode()).as(output.out()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {TektonTools.OLDEST, TektonTools.NEWEST})
  void theFleetIsRefusedWhereOnlyStableFieldsAreAllowedWhichIsWhyItIsNotInTheBase(String release) {
    Output output =
        TektonTools.run(
            release,
            List.of("--flags", "stable", FILES.pipeline("pitstop-fleet").file().toString()));

    assertThat(output.exitCode()).isEqualTo(1);
    assertThat(output.out()).contains("matrix requires \"enable-api-fields\"");
  }

  /** The files the base kustomization installs (not the folders it includes). */
  private static List<String> baseResources() {
    Doc kustomization = FILES.ofKind("Kustomization").get(0);
    List<String> files = new ArrayList<>();
    for (JsonNode resource : kustomization.node().path("resources")) {
      var path = TektonFiles.ROOT.resolve(resource.asText());
      if (Files.isRegularFile(path)) {
        files.add(path.toString());
      }
    }
    assertThat(files).hasSizeGreaterThan(15);
    return files;
  }
}
