package dev.pitstop.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitstop.core.PitstopException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run record's ConfigMap form: what is written, what is read back, what is refused. */
class LedgerTest {
  /**
   * A record with every kind of fact, as the ConfigMap holds it. Runs in progress when Pitstop is
   * upgraded hold records in exactly this form, so it must read and write back unchanged.
   */
  private static Map<String, String> everything() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("run-id", "run-7");
    data.put("holder", "argo/wf-1");
    data.put("locked-at", "2026-11-26T07:00:00Z");
    data.put("updated-at", "2026-11-26T07:05:00Z");
    data.put(
        "workloads",
        "[{\"kind\":\"Deployment\",\"name\":\"web\",\"replicas\":3,\"images\":{\"app\":\"shop:1.0\","
            + "\"proxy\":\"envoy:1\"}},{\"kind\":\"StatefulSet\",\"name\":\"db\",\"replicas\":1,"
            + "\"images\":{}}]");
    data.put(
        "maintenance",
        "{\"mode\":\"ingress\",\"target\":\"shop\",\"original\":{\"defaultBackend\":null,"
            + "\"paths\":[{\"host\":\"a\",\"backend\":{\"service\":{\"name\":\"web\",\"port\":"
            + "{\"number\":80}}}}]},\"active\":true}");
    data.put(
        "cronjobs",
        "[{\"name\":\"nightly\",\"suspend\":null},{\"name\":\"hourly\",\"suspend\":true}]");
    data.put(
        "autoscalers",
        "[{\"name\":\"web\",\"target\":\"deployment/web\",\"minReplicas\":null,\"raised\":false},"
            + "{\"name\":\"api\",\"target\":\"deployment/api\",\"minReplicas\":0,\"raised\":true}]");
    data.put(
        "scaled-objects",
        "[{\"name\":\"worker\",\"target\":\"deployment/worker\",\"pausedReplicas\":null},"
            + "{\"name\":\"w2\",\"target\":\"deployment/w2\",\"pausedReplicas\":\"2\"}]");
    data.put(
        "argocd",
        "[{\"namespace\":\"argocd\",\"name\":\"shop\",\"syncPolicy\":{\"automated\":{\"prune\":true,"
            + "\"selfHeal\":true},\"syncOptions\":[\"CreateNamespace=true\"]},\"objects\":"
            + "[\"deployment/web\"]},{\"namespace\":\"argocd\",\"name\":\"other\",\"syncPolicy\":null,"
            + "\"objects\":[]}]");
    data.put("snapshot", "shop_pitstop_run7");
    data.put("schema-version-before", "41");
    return data;
  }

  @Test
  void everyKindOfFactReadsAndWritesBackUnchanged() {
    Map<String, String> data = everything();

    Ledger ledger = Ledger.fromData("pitstop-shop", data);

    assertThat(ledger.toData()).containsExactlyEntriesOf(data);
  }

  @Test
  void readsEachFactWithItsTypes() {
    Ledger ledger = Ledger.fromData("pitstop-shop", everything());

    assertThat(ledger.runId()).isEqualTo("run-7");
    assertThat(ledger.updatedAt()).hasToString("2026-11-26T07:05:00Z");
    assertThat(ledger.workloads().keySet()).containsExactly("deployment/web", "statefulset/db");
    WorkloadRecord web = ledger.workloads().get("deployment/web");
    assertThat(web.replicas()).isEqualTo(3);
    assertThat(web.images())
        .containsExactly(Map.entry("app", "shop:1.0"), Map.entry("proxy", "envoy:1"));
    MaintenanceRecord maintenance = ledger.maintenance().orElseThrow();
    assertThat(maintenance.active()).isTrue();
    assertThat(maintenance.key()).isNull();
    assertThat(maintenance.original().get("defaultBackend").isNull()).isTrue();
    assertThat(maintenance.original().at("/paths/0/backend/service/port/number").intValue())
        .isEqualTo(80);
    assertThat(ledger.cronJobs().get("cronjob/nightly").suspend()).isNull();
    assertThat(ledger.cronJobs().get("cronjob/hourly").wasSuspended()).isTrue();
    assertThat(ledger.autoscalers().get("hpa/web").minReplicas()).isNull();
    assertThat(ledger.autoscalers().get("hpa/api").minReplicas()).isZero();
    assertThat(ledger.holdsPauses()).isTrue();
    assertThat(ledger.scaledObjects().get("scaledobject/worker").pausedReplicas()).isNull();
    assertThat(ledger.scaledObjects().get("scaledobject/w2").pausedReplicas()).isEqualTo("2");
    ArgoCdRecord shop = ledger.argoCd().get("application/argocd/shop");
    assertThat(shop.automated().get("selfHeal").booleanValue()).isTrue();
    assertThat(shop.objects()).containsExactly("deployment/web");
    assertThat(ledger.argoCd().get("application/argocd/other").automated()).isNull();
    assertThat(ledger.facts())
        .containsExactly(
            Map.entry("snapshot", "shop_pitstop_run7"), Map.entry("schema-version-before", "41"));
  }

  @Test
  void aConfigMapModeRecordKeepsAnAbsentKeyAsJsonNull() {
    Map<String, String> data = new LinkedHashMap<>(Map.of("run-id", "r"));
    data.put(
        "maintenance",
        "{\"mode\":\"configmap\",\"target\":\"flags\",\"key\":\"maintenance\",\"original\":null,"
            + "\"active\":false}");

    Ledger ledger = Ledger.fromData("pitstop-shop", data);

    MaintenanceRecord record = ledger.maintenance().orElseThrow();
    assertThat(record.original().isNull()).isTrue();
    assertThat(record.describeTarget()).isEqualTo("configmap/flags key maintenance");
    assertThat(ledger.toData().get("maintenance")).isEqualTo(data.get("maintenance"));
  }

  @Test
  void recordsWrittenByTheStepsReadBackEqual() {
    Ledger ledger = new Ledger("r", "ci", java.time.Instant.parse("2026-11-26T07:00:00Z"));
    ledger.recordWorkloadIfAbsent(new WorkloadRecord("Deployment", "web", 2, Map.of()));
    ledger.recordCronJobIfAbsent(new CronJobRecord("nightly", false));
    ledger.recordAutoscalerIfAbsent(new AutoscalerRecord("web", "deployment/web", 0, true));
    ledger.recordScaledObjectIfAbsent(new ScaledObjectRecord("worker", "deployment/w", null));
    ledger.recordArgoCdIfAbsent(
        new ArgoCdRecord("argocd", "shop", null, List.of("deployment/web")));
    ledger.putFact("snapshot", "shop_snap");

    Ledger read = Ledger.fromData("pitstop-shop", ledger.toData());

    assertThat(read.workloads()).isEqualTo(ledger.workloads());
    assertThat(read.cronJobs()).isEqualTo(ledger.cronJobs());
    assertThat(read.autoscalers()).isEqualTo(ledger.autoscalers());
    assertThat(read.scaledObjects()).isEqualTo(ledger.scaledObjects());
    assertThat(read.argoCd().get("application/argocd/shop").objects())
        .containsExactly("deployment/web");
    assertThat(read.facts()).isEqualTo(ledger.facts());
    assertThat(read.toData()).isEqualTo(ledger.toData());
  }

  @Test
  void stepProgressIsWrittenInTheStoredFormAndReadBack() {
    java.time.Instant t0 = java.time.Instant.parse("2026-12-06T10:00:00Z");
    Ledger ledger = new Ledger("r", "ci", t0);
    ledger.stepEnded("lock", t0, t0.plusMillis(400), true, 0, "locked");
    ledger.stepStarted("scale-down", t0.plusSeconds(5));
    ledger.stepEnded(
        "scale-down", t0.plusSeconds(5), t0.plusSeconds(8), false, 75, "timeout\nmore");
    ledger.stepStarted("scale-down", t0.plusSeconds(20));
    ledger.stepStarted("migrate", t0.plusSeconds(30));

    Map<String, String> data = ledger.toData();

    assertThat(data.get("steps"))
        .isEqualTo(
            "[{\"step\":\"lock\",\"state\":\"succeeded\",\"started\":\"2026-12-06T10:00:00Z\","
                + "\"ended\":\"2026-12-06T10:00:00.400Z\",\"attempts\":1,\"busy-ms\":400,"
                + "\"exit-code\":0,\"message\":\"locked\"},{\"step\":\"scale-down\",\"state\":"
                + "\"running\",\"started\":\"2026-12-06T10:00:20Z\",\"ended\":null,\"attempts\":2,"
                + "\"busy-ms\":3000,\"exit-code\":null,\"message\":null},{\"step\":\"migrate\","
                + "\"state\":\"running\",\"started\":\"2026-12-06T10:00:30Z\",\"ended\":null,"
                + "\"attempts\":1,\"busy-ms\":0,\"exit-code\":null,\"message\":null}]");
    Ledger read = Ledger.fromData("pitstop-shop", data);
    assertThat(read.steps()).isEqualTo(ledger.steps());
    assertThat(read.toData()).isEqualTo(data);
    assertThat(read.facts()).isEmpty();
  }

  @Test
  void aRecordWithoutStepProgressReadsAsNoStepsKnown() {
    Ledger ledger = Ledger.fromData("pitstop-shop", everything());

    assertThat(ledger.steps()).isEmpty();
    assertThat(ledger.toData()).doesNotContainKey("steps");
  }

  @Test
  void aMangledRecordIsReportedWithTheKeyAndWhatIsWrong() {
    assertRefused(
        "workloads",
        "[{\"kind\":\"Deployment\",\"name\":\"web\"}]",
        "workloads: replicas is missing");
    assertRefused(
        "workloads",
        "[{\"kind\":\"Deployment\",\"name\":\"web\",\"replicas\":\"3\"}]",
        "workloads: replicas is not an integer");
    assertRefused("workloads", "{\"kind\":\"Deployment\"}", "workloads: not a JSON array");
    assertRefused("workloads", "[{\"kind\":", "workloads: not JSON");
    assertRefused(
        "cronjobs",
        "[{\"name\":\"n\",\"suspend\":\"yes\"}]",
        "cronjobs: suspend is not true or false");
    assertRefused(
        "maintenance",
        "{\"mode\":\"ingress\",\"target\":\"shop\"}",
        "maintenance: active is missing");
    assertRefused(
        "argocd",
        "[{\"namespace\":\"a\",\"name\":\"b\",\"objects\":[1]}]",
        "argocd: objects is not a string");
    assertRefused(
        "steps",
        "[{\"step\":\"migrate\",\"state\":\"done\",\"started\":\"2026-12-06T10:00:00Z\","
            + "\"attempts\":1}]",
        "steps: state is not running, succeeded or failed");
    assertRefused(
        "steps",
        "[{\"step\":\"migrate\",\"state\":\"running\",\"started\":\"yesterday\","
            + "\"attempts\":1}]",
        "steps: 'yesterday' is not a time");
  }

  private static void assertRefused(String key, String value, String reason) {
    Map<String, String> data = new LinkedHashMap<>(Map.of("run-id", "r"));
    data.put(key, value);
    assertThatThrownBy(() -> Ledger.fromData("pitstop-shop", data))
        .isInstanceOf(PitstopException.class)
        .hasMessageStartingWith("configmap/pitstop-shop is not a readable Pitstop run record (")
        .hasMessageContaining(reason)
        .hasMessageEndingWith("inspect it with kubectl before going on");
  }
}
