package dev.pitstop.step;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MaintenanceIT extends ClusterTestBase {

  @BeforeEach
  void lock() {
    assertThat(pitstopRun("lock").exitCode()).isZero();
  }

  private IngressSpec ingressSpec() {
    return client.network().v1().ingresses().inNamespace(NS).withName("shop").get().getSpec();
  }

  @Test
  void configMapModeSetsTheKeyAndOffRemovesAKeyThatWasAbsent() {
    String[] on = {
      "maintenance-on",
      "--mode",
      "configmap",
      "--configmap",
      "shop-settings",
      "--key",
      "maintenance",
      "--value",
      "on"
    };

    Result first = pitstopRun(on[0], java.util.Arrays.copyOfRange(on, 1, on.length));
    Result second = pitstopRun(on[0], java.util.Arrays.copyOfRange(on, 1, on.length));

    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(settings()).containsEntry("maintenance", "on").containsEntry("greeting", "hello");
    assertThat(events())
        .anyMatch(
            e ->
                e.getReason().equals("MaintenanceOn")
                    && e.getInvolvedObject().getName().equals("shop-settings"));

    assertThat(pitstopRun("maintenance-off").exitCode()).isZero();
    assertThat(pitstopRun("maintenance-off").exitCode()).isZero();
    assertThat(settings()).doesNotContainKey("maintenance").containsEntry("greeting", "hello");
  }

  @Test
  void configMapModeRestoresAnExistingValueExactly() {
    Result on =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "greeting",
            "--value",
            "down for maintenance");
    assertThat(on.exitCode()).as(on.toString()).isZero();
    assertThat(settings()).containsEntry("greeting", "down for maintenance");

    pitstopRun("maintenance-off");

    assertThat(settings()).containsEntry("greeting", "hello");
  }

  @Test
  void usersWouldSeeErrorsInsteadOfThePageIsWarnedAbout() {
    Result noPods =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "service",
            "--service",
            "shop-web",
            "--maintenance-selector",
            "app=maintenance-page",
            "--dry-run");
    Result noService =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "ingress",
            "--ingress",
            "shop",
            "--maintenance-backend",
            "maintenance-page:80",
            "--dry-run");

    assertThat(noPods.exitCode()).as(noPods.toString()).isZero();
    assertThat(noPods.err()).contains("no pod in namespace shop matches the maintenance selector");
    assertThat(noService.err())
        .contains("the maintenance Service maintenance-page does not exist in namespace shop");

    client
        .services()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName("maintenance-page")
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "maintenance-page")
                .endSpec()
                .build())
        .create();
    client
        .pods()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName("maintenance-page-1")
                .addToLabels("app", "maintenance-page")
                .endMetadata()
                .build())
        .create();
    Result installed =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "service",
            "--service",
            "shop-web",
            "--maintenance-selector",
            "app=maintenance-page",
            "--dry-run");
    assertThat(installed.err()).doesNotContain("warning");
  }

  @Test
  void serviceModeSwapsTheSelectorAndOffRestoresIt() {
    Result on =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "service",
            "--service",
            "shop-web",
            "--maintenance-selector",
            "app=maintenance-page");
    assertThat(on.exitCode()).as(on.toString()).isZero();
    assertThat(
            pitstopRun(
                    "maintenance-on",
                    "--mode",
                    "service",
                    "--service",
                    "shop-web",
                    "--maintenance-selector",
                    "app=maintenance-page")
                .exitCode())
        .isZero();
    assertThat(selector()).containsExactly(java.util.Map.entry("app", "maintenance-page"));

    pitstopRun("maintenance-off");

    assertThat(selector())
        .containsExactly(
            java.util.Map.entry("app", "shop"), java.util.Map.entry("component", "web"));
  }

  @Test
  void ingressModePointsEveryBackendAtMaintenanceAndOffRestoresEachOne() {
    IngressSpec before = ingressSpec();

    Result on =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "ingress",
            "--ingress",
            "shop",
            "--maintenance-backend",
            "maintenance-page:80");

    assertThat(on.exitCode()).as(on.toString()).isZero();
    IngressSpec during = ingressSpec();
    assertThat(during.getDefaultBackend().getService().getName()).isEqualTo("maintenance-page");
    assertThat(during.getRules().get(0).getHttp().getPaths())
        .allSatisfy(
            p -> assertThat(p.getBackend().getService().getName()).isEqualTo("maintenance-page"));

    assertThat(pitstopRun("maintenance-off").exitCode()).isZero();
    assertThat(ingressSpec()).isEqualTo(before);
  }

  @Test
  void switchingOnAnotherWayWhileOnIsRefused() {
    pitstopRun(
        "maintenance-on", "--mode", "configmap", "--configmap", "shop-settings", "--key", "m");

    Result other =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "service",
            "--service",
            "shop-web",
            "--maintenance-selector",
            "app=maintenance-page");

    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.err()).contains("already on through configmap/shop-settings");
  }

  @Test
  void aMissingObjectOrBadOptionsAreExit2AndChangeNothing() {
    String before = snapshotOfState();

    assertBad(
        pitstopRun("maintenance-on", "--mode", "configmap", "--configmap", "nope", "--key", "m"),
        "configmap/nope does not exist");
    assertBad(
        pitstopRun(
            "maintenance-on",
            "--mode",
            "service",
            "--service",
            "nope",
            "--maintenance-selector",
            "a=b"),
        "service/nope does not exist");
    assertBad(
        pitstopRun(
            "maintenance-on",
            "--mode",
            "ingress",
            "--ingress",
            "nope",
            "--maintenance-backend",
            "page:80"),
        "ingress/nope does not exist");
    assertBad(
        pitstopRun("maintenance-on", "--mode", "configmap", "--key", "m"), "needs --configmap");
    assertBad(
        pitstopRun("maintenance-on", "--mode", "teapot"), "Invalid value for option '--mode'");
    assertBad(
        pitstopRun(
            "maintenance-on",
            "--mode",
            "service",
            "--service",
            "shop-web",
            "--maintenance-selector",
            "app!=web"),
        "malformed");
    assertBad(
        pitstopRun(
            "maintenance-on",
            "--mode",
            "ingress",
            "--ingress",
            "shop",
            "--maintenance-backend",
            "page"),
        "SERVICE:PORT");
    assertBad(pitstopRun("maintenance-on"), "missing --mode");

    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void dryRunChangesNothing() {
    String before = snapshotOfState();

    Result on =
        pitstopRun(
            "maintenance-on",
            "--dry-run",
            "--mode",
            "service",
            "--service",
            "shop-web",
            "--maintenance-selector",
            "app=maintenance-page");

    assertThat(on.exitCode()).as(on.toString()).isZero();
    assertThat(on.out()).contains("dry run: would switch on service/shop-web");
    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(ledger().getData()).doesNotContainKey("maintenance");
  }

  private java.util.Map<String, String> settings() {
    return client.configMaps().inNamespace(NS).withName("shop-settings").get().getData();
  }

  private java.util.Map<String, String> selector() {
    return client.services().inNamespace(NS).withName("shop-web").get().getSpec().getSelector();
  }

  private static void assertBad(Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).contains(message);
  }

  @Test
  void aMaintenanceOnKilledAfterRecordingIsFinishedByARerunAndOffRestoresTheOriginal() {
    pitstopRun(
        "maintenance-on",
        "--mode",
        "configmap",
        "--configmap",
        "shop-settings",
        "--key",
        "greeting",
        "--value",
        "closed");
    // Simulate the kill: the original is recorded, but the switch never reached the ConfigMap.
    client
        .configMaps()
        .inNamespace(NS)
        .withName("shop-settings")
        .edit(
            cm -> {
              cm.getData().put("greeting", "hello");
              return cm;
            });

    Result rerun =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "greeting",
            "--value",
            "closed");

    assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
    assertThat(settings()).containsEntry("greeting", "closed");
    pitstopRun("maintenance-off");
    assertThat(settings()).containsEntry("greeting", "hello");
  }
}
