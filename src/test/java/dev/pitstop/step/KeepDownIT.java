package dev.pitstop.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.demo.SampleApp;
import dev.pitstop.kube.ArgoCd;
import dev.pitstop.kube.Autoscalers;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.SimulatedAutoscalers;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * scale-down keeps the app down against the controllers that would bring it back (CronJobs, HPAs,
 * KEDA, Argo CD self-heal), and scale-up and rollback put each back exactly; with each controller's
 * objects present and absent.
 */
class KeepDownIT extends ClusterTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration HOLD = Duration.ofMillis(1500);

  private SimulatedAutoscalers fighters;

  @BeforeEach
  void lockAndStartTheFighters() {
    assertThat(pitstopRun("lock").exitCode()).isZero();
    fighters = new SimulatedAutoscalers(client, NS).start();
  }

  @AfterEach
  void stopTheFighters() {
    fighters.close();
  }

  // --- HorizontalPodAutoscalers

  @Test
  void withoutAPauseTheSimulatedHpaScalesAWorkloadUpFromZero() {
    createHpa("web", "Deployment", "web", 0, 5);
    fighters.demand(3);
    retryingConflicts(() -> client.apps().deployments().inNamespace(NS).withName("web").scale(0));

    await().atMost(Duration.ofSeconds(10)).until(() -> web().getSpec().getReplicas() == 3);
  }

  @Test
  void hpaWithMinReplicasZeroIsHeldAtOneSoItCannotScaleTheWorkloadFromZero() throws Exception {
    createHpa("web", "Deployment", "web", 0, 5);
    fighters.demand(3);

    Result down = pitstopRun("scale-down", "--workload", "deployment/web");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(down.err()).contains("hpa/web: minReplicas held at 1 (was 0)");
    assertThat(hpa("web").getSpec().getMinReplicas()).isEqualTo(1);
    JsonNode recorded = ledgerList("autoscalers").get(0);
    assertThat(recorded.get("minReplicas").asInt()).isZero();
    assertThat(recorded.get("raised").asBoolean()).isTrue();
    staysDown("web");

    Result up = pitstopRun("scale-up");

    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(hpa("web").getSpec().getMinReplicas()).isZero();
    assertThat(hpa("web").getMetadata().getAnnotations()).doesNotContainKey("pitstop.dev/run-id");
    awaitPods("web", 3);
    Result again = pitstopRun("scale-up");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(hpa("web").getSpec().getMinReplicas()).isZero();
  }

  @Test
  void hpaWithMinReplicasAboveZeroIsLeftToKubernetesAndTheOutputSaysSo() {
    createHpa("worker", "StatefulSet", "worker", 2, 5);
    fighters.demand(2);
    String before = hpa("worker").getMetadata().getResourceVersion();

    Result down = pitstopRun("scale-down", "--workload", "statefulset/worker");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(down.err())
        .contains("hpa/worker (minReplicas 2) targets statefulset/worker")
        .contains("Kubernetes pauses it while statefulset/worker is at 0 replicas");
    assertThat(hpa("worker").getMetadata().getResourceVersion()).isEqualTo(before);
    staysDown("worker");
    assertThat(pitstop("status").out())
        .contains("hpa/worker (statefulset/worker): minReplicas 2, not changed");
    assertThat(pitstopRun("scale-up").exitCode()).isZero();
    assertThat(hpa("worker").getMetadata().getResourceVersion()).isEqualTo(before);
  }

  // --- KEDA

  @Test
  void kedaScaledObjectIsPausedAtZeroAndResumedWithoutTheAnnotation() throws Exception {
    createScaledObject("web", "web", Map.of());
    fighters.demand(3);

    Result down = pitstopRun("scale-down", "--workload", "deployment/web");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(annotations(scaledObject("web"))).containsEntry(Autoscalers.PAUSED_REPLICAS, "0");
    JsonNode recorded = ledgerList("scaled-objects").get(0);
    assertThat(recorded.get("target").asText()).isEqualTo("deployment/web");
    assertThat(recorded.get("pausedReplicas").isNull()).isTrue();
    staysDown("web");

    Result up = pitstopRun("scale-up");

    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(annotations(scaledObject("web"))).doesNotContainKey(Autoscalers.PAUSED_REPLICAS);
    awaitPods("web", 3);
  }

  @Test
  void kedaPauseAnnotationsAlreadyThereArePutBackAsTheyWere() throws Exception {
    createScaledObject(
        "worker",
        "worker",
        Map.of(Autoscalers.PAUSED_REPLICAS, "2", Autoscalers.KEDA_PAUSED, "true"),
        "StatefulSet");

    Result down = pitstopRun("scale-down", "--workload", "statefulset/worker");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(annotations(scaledObject("worker")))
        .containsEntry(Autoscalers.PAUSED_REPLICAS, "0")
        .containsEntry(Autoscalers.KEDA_PAUSED, "true");
    assertThat(ledgerList("scaled-objects").get(0).get("pausedReplicas").asText()).isEqualTo("2");
    staysDown("worker");

    Result rollback = pitstopRun("rollback");

    assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
    assertThat(annotations(scaledObject("worker")))
        .containsEntry(Autoscalers.PAUSED_REPLICAS, "2")
        .containsEntry(Autoscalers.KEDA_PAUSED, "true");
    awaitPods("worker", 2);
  }

  // --- CronJobs

  @Test
  void cronJobIsSuspendedItsRunningJobAwaitedAndNoJobStartsUntilScaleUp() throws Exception {
    createCronJob("report", null);
    fighters.jobDuration(Duration.ofMillis(400));
    await().atMost(Duration.ofSeconds(10)).until(() -> !runningJobs("report").isEmpty());

    Result down = pitstopRun("scale-down", "--selector", "app=shop");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(cronJob("report").getSpec().getSuspend()).isTrue();
    assertThat(runningJobs("report")).isEmpty();
    assertThat(ledger().getData().get("cronjobs"))
        .isEqualTo("[{\"name\":\"report\",\"suspend\":null}]");
    int started = fighters.jobsStarted();
    await()
        .during(HOLD)
        .atMost(HOLD.multipliedBy(2))
        .until(() -> fighters.jobsStarted() == started);

    Result up = pitstopRun("scale-up");

    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(cronJob("report").getSpec().getSuspend()).isNull();
    assertThat(cronJob("report").getMetadata().getAnnotations())
        .doesNotContainKey("pitstop.dev/run-id");
    await().atMost(Duration.ofSeconds(10)).until(() -> fighters.jobsStarted() > started);
  }

  @Test
  void cronJobSuspendIsRestoredToItsExactPreviousValueByRollback() {
    createCronJob("nightly", false);
    createCronJob("paused", true);

    Result down =
        pitstopRun("scale-down", "--workload", "cronjob/nightly", "--workload", "cj/paused");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(cronJob("nightly").getSpec().getSuspend()).isTrue();
    assertThat(cronJob("paused").getSpec().getSuspend()).isTrue();

    Result rollback = pitstopRun("rollback");

    assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
    assertThat(cronJob("nightly").getSpec().getSuspend()).isFalse();
    assertThat(cronJob("paused").getSpec().getSuspend()).isTrue();
  }

  @Test
  void runningJobsAreNamedAtTheDeadlineOrDeletedWithDeleteRunningJobs() throws Exception {
    fighters.jobsNeverFinish();
    createCronJob("report", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> !runningJobs("report").isEmpty());

    Result waited = pitstopRun("scale-down", "--workload", "cronjob/report", "--timeout", "2s");

    assertThat(waited.exitCode()).as(waited.toString()).isEqualTo(1);
    assertThat(waited.err()).contains("still running").contains("job/report-");

    Result deleted =
        pitstopRun("scale-down", "--workload", "cronjob/report", "--delete-running-jobs");

    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(runningJobs("report")).isEmpty();
    assertThat(ledgerList("cronjobs").get(0).get("suspend").isNull()).isTrue();
  }

  // --- Argo CD

  @Test
  void argoCdManagedWorkloadsAreOnlyWarnedAboutByDefault() {
    track("web", "shop:apps/Deployment:shop/web");
    retryingConflicts(
        () ->
            client
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .withName("worker")
                .edit(
                    s -> {
                      s.getMetadata().getLabels().put(ArgoCd.INSTANCE_LABEL, "team_shop");
                      return s;
                    }));
    createApplication("argocd", "shop");
    String before = application("argocd", "shop").getMetadata().getResourceVersion();

    Result down = pitstopRun("scale-down", "--selector", "app=shop");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(down.err())
        .contains("deployment/web are managed by Argo CD Application argocd/shop")
        .contains("tracking label app.kubernetes.io/instance (Application team/shop")
        .contains("pass --pause-argocd");
    assertThat(application("argocd", "shop").getMetadata().getResourceVersion()).isEqualTo(before);
    assertThat(ledger().getData()).doesNotContainKey("argocd");
  }

  @Test
  void pauseArgocdStopsSelfHealForTheRunAndScaleUpPutsTheSyncPolicyBackExactly() throws Exception {
    track("web", "shop:apps/Deployment:shop/web");
    createApplication("argocd", "shop");
    fighters.gitReplicas("deployment/web", 3);

    Result down = pitstopRun("scale-down", "--workload", "deployment/web", "--pause-argocd");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    Map<String, Object> policy = ArgoCd.syncPolicy(application("argocd", "shop"));
    assertThat(policy).doesNotContainKey("automated").containsKey("syncOptions");
    JsonNode recorded = ledgerList("argocd").get(0);
    assertThat(recorded.get("syncPolicy").get("automated").get("selfHeal").asBoolean()).isTrue();
    assertThat(recorded.get("objects").get(0).asText()).isEqualTo("deployment/web");
    staysDown("web");

    Result up = pitstopRun("scale-up");

    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(ArgoCd.syncPolicy(application("argocd", "shop")))
        .containsEntry("automated", Map.of("prune", true, "selfHeal", true))
        .containsEntry("syncOptions", List.of("CreateNamespace=true"));
    awaitPods("web", 3);
  }

  // --- absent APIs

  @Test
  void controllersWhoseApisAreNotInstalledAreNothingToDo() {
    // Stored, but every read of their API answers 404 as on a cluster without it.
    createHpa("web", "Deployment", "web", 0, 5);
    createScaledObject("web", "web", Map.of());
    createApplication("argocd", "shop");
    notInstalled("/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers");
    notInstalled("/apis/keda.sh/v1alpha1/namespaces/shop/scaledobjects");
    notInstalled("/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop");
    track("web", "shop:apps/Deployment:shop/web");

    Result down = pitstopRun("scale-down", "--workload", "deployment/web", "--pause-argocd");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(down.err())
        .contains("no Application argocd/shop exists")
        .contains("nothing to pause");
    assertThat(ledger().getData())
        .doesNotContainKeys("autoscalers", "scaled-objects", "argocd", "cronjobs");
    Result up = pitstopRun("scale-up");
    assertThat(up.exitCode()).as(up.toString()).isZero();
  }

  // --- the record: write-ahead, once, shown, undone

  @Test
  void scaleDownRetriedRecordsTheOriginalsOnlyOnceAndPausesNothingTwice() throws Exception {
    everyController();
    Result first =
        pitstopRun("scale-down", "--selector", "app=shop", "--pause-argocd", "--timeout", "30s");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    Map<String, String> recorded = pauseRecords();
    String hpaVersion = hpa("web").getMetadata().getResourceVersion();
    String scaledObjectVersion = scaledObject("worker").getMetadata().getResourceVersion();

    Result retry =
        pitstopRun("scale-down", "--selector", "app=shop", "--pause-argocd", "--timeout", "30s");

    assertThat(retry.exitCode()).as(retry.toString()).isZero();
    assertThat(pauseRecords()).isEqualTo(recorded);
    assertThat(ledgerList("autoscalers").get(0).get("minReplicas").asInt()).isZero();
    assertThat(ledgerList("cronjobs").get(0).get("suspend").isNull()).isTrue();
    assertThat(ledgerList("argocd").get(0).get("syncPolicy").has("automated")).isTrue();
    assertThat(hpa("web").getMetadata().getResourceVersion()).isEqualTo(hpaVersion);
    assertThat(scaledObject("worker").getMetadata().getResourceVersion())
        .isEqualTo(scaledObjectVersion);
  }

  @Test
  void statusShowsEveryPauseWithItsRecordedAndCurrentValue() {
    everyController();
    assertThat(pitstopRun("scale-down", "--selector", "app=shop", "--pause-argocd").exitCode())
        .isZero();

    Result status = pitstop("status");

    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out())
        .contains("kept down")
        .contains("cronjob/report: suspend recorded null, now true")
        .contains("hpa/web (deployment/web): minReplicas recorded 0, now 1")
        .contains(
            "scaledobject/worker (statefulset/worker): paused-replicas recorded <none>, now \"0\"")
        .contains("application/argocd/shop: automated sync recorded")
        .contains(", now paused")
        .contains("pitstop finish --app shop -n shop --run-id run-1");
    assertThat(pitstop("status", "--output", "json").out())
        .contains("\"object\":\"hpa/web\",\"field\":\"min-replicas\",\"recorded\":0");
  }

  @Test
  void rollbackPutsEveryPauseBackAndARepeatChangesNothing() {
    everyController();
    assertThat(pitstopRun("scale-down", "--selector", "app=shop", "--pause-argocd").exitCode())
        .isZero();

    Result rollback = pitstopRun("rollback");

    assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
    assertThat(hpa("web").getSpec().getMinReplicas()).isZero();
    assertThat(annotations(scaledObject("worker"))).doesNotContainKey(Autoscalers.PAUSED_REPLICAS);
    assertThat(cronJob("report").getSpec().getSuspend()).isNull();
    assertThat(ArgoCd.syncPolicy(application("argocd", "shop")))
        .containsEntry("automated", Map.of("prune", true, "selfHeal", true));
    String versions = versions();

    Result again = pitstopRun("rollback");

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(versions()).isEqualTo(versions);
  }

  @Test
  void dryRunWithEveryControllerPresentChangesNothing() {
    everyController();
    String before = snapshotOfState() + versions();

    Result dry = pitstopRun("scale-down", "--selector", "app=shop", "--pause-argocd", "--dry-run");

    assertThat(dry.exitCode()).as(dry.toString()).isZero();
    assertThat(dry.err())
        .contains("dry run: would suspend cronjob/report")
        .contains("dry run: would hold hpa/web at minReplicas 1")
        .contains("dry run: would pause KEDA scaledobject/worker")
        .contains("dry run: would pause automated sync of Argo CD Application argocd/shop");
    assertThat(snapshotOfState() + versions()).isEqualTo(before);
  }

  @Test
  void badKeepDownInputIsExit2WithOneLineAndNoChange() {
    createCronJob("report", null);
    String before = snapshotOfState();

    assertBad(
        pitstopRun("scale-down", "--workload", "deployment/web", "--argocd-namespace", "Argo_CD"),
        "--argocd-namespace 'Argo_CD' is not a valid name");
    assertBad(
        pitstopRun("scale-down", "--workload", "cronjob/missing"), "cronjob/missing not found");
    assertBad(pitstopRun("scale-up", "--workload", "cronjob/report"), "was not suspended by run");

    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(cronJob("report").getSpec().getSuspend()).isNull();
  }

  @Test
  void helpShowsTheKeepDownOptions() {
    Result help = cli.run("scale-down", "--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("--delete-running-jobs")
        .contains("--pause-argocd")
        .contains("--argocd-namespace")
        .contains("cronjob/report");
    assertThat(cli.run("run", "--help").out()).contains("--pause-argocd");
  }

  // --- helpers

  /** An HPA with minReplicas 0 on web, a KEDA ScaledObject on worker, a CronJob, Argo CD. */
  private void everyController() {
    createHpa("web", "Deployment", "web", 0, 5);
    createScaledObject("worker", "worker", Map.of(), "StatefulSet");
    createCronJob("report", null);
    track("web", "shop:apps/Deployment:shop/web");
    createApplication("argocd", "shop");
    fighters.demand(3).gitReplicas("deployment/web", 3);
    // KEDA scales worker from 2 to the demand of 3: let the app settle before anything is compared.
    awaitPods("worker", 3);
  }

  /** Proves the workload stays at zero while the simulated controllers keep trying. */
  private void staysDown(String component) {
    await()
        .during(HOLD)
        // barely longer than HOLD: a single moment up would restart the window and fail the wait
        .atMost(HOLD.plusMillis(700))
        .until(
            () ->
                pods(component) == 0
                    && (component.equals("web")
                        ? web().getSpec().getReplicas() == 0
                        : worker().getSpec().getReplicas() == 0));
  }

  private void createHpa(String name, String kind, String target, int min, int max) {
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(NS)
        .resource(SampleApp.hpa(name, kind, target, min, max))
        .create();
  }

  private HorizontalPodAutoscaler hpa(String name) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(NS)
        .withName(name)
        .get();
  }

  private void createScaledObject(String name, String target, Map<String, String> annotations) {
    createScaledObject(name, target, annotations, null);
  }

  private void createScaledObject(
      String name, String target, Map<String, String> annotations, String kind) {
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("name", target);
    if (kind != null) {
      ref.put("apiVersion", "apps/v1");
      ref.put("kind", kind);
    }
    client
        .genericKubernetesResources(Autoscalers.SCALED_OBJECTS)
        .inNamespace(NS)
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("keda.sh/v1alpha1")
                .withKind("ScaledObject")
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withAnnotations(annotations)
                .endMetadata()
                .addToAdditionalProperties(
                    "spec",
                    Map.of("scaleTargetRef", ref, "minReplicaCount", 0, "maxReplicaCount", 10))
                .build())
        .create();
  }

  private GenericKubernetesResource scaledObject(String name) {
    return client
        .genericKubernetesResources(Autoscalers.SCALED_OBJECTS)
        .inNamespace(NS)
        .withName(name)
        .get();
  }

  private void createCronJob(String name, Boolean suspend) {
    client
        .batch()
        .v1()
        .cronjobs()
        .inNamespace(NS)
        .resource(SampleApp.cronJob(name, suspend))
        .create();
  }

  private CronJob cronJob(String name) {
    return client.batch().v1().cronjobs().inNamespace(NS).withName(name).get();
  }

  private List<Job> runningJobs(String cronJob) {
    return client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
        .filter(j -> j.getMetadata().getName().startsWith(cronJob + "-"))
        .filter(j -> j.getStatus() == null || j.getStatus().getConditions().isEmpty())
        .toList();
  }

  private void track(String deployment, String trackingId) {
    retryingConflicts(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName(deployment)
                .edit(
                    d -> {
                      d.getMetadata().getAnnotations().put(ArgoCd.TRACKING_ANNOTATION, trackingId);
                      return d;
                    }));
  }

  /** The simulated controllers write status meanwhile: a 409 on a test's own edit is retried. */
  private static void retryingConflicts(Runnable edit) {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () -> {
              edit.run();
              return true;
            });
  }

  private void createApplication(String namespace, String name) {
    Map<String, Object> syncPolicy = new LinkedHashMap<>();
    syncPolicy.put("automated", Map.of("prune", true, "selfHeal", true));
    syncPolicy.put("syncOptions", List.of("CreateNamespace=true"));
    client
        .genericKubernetesResources(ArgoCd.APPLICATIONS)
        .inNamespace(namespace)
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("argoproj.io/v1alpha1")
                .withKind("Application")
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .addToAdditionalProperties(
                    "spec",
                    Map.of(
                        "project",
                        "default",
                        "destination",
                        Map.of("namespace", NS),
                        "syncPolicy",
                        syncPolicy))
                .build())
        .create();
  }

  private GenericKubernetesResource application(String namespace, String name) {
    return client
        .genericKubernetesResources(ArgoCd.APPLICATIONS)
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  private void notInstalled(String path) {
    server
        .expect()
        .get()
        .withPath(path)
        .andReturn(
            404,
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("NotFound")
                .withCode(404)
                .withMessage("the server could not find the requested resource")
                .build())
        .always();
  }

  private static Map<String, String> annotations(GenericKubernetesResource object) {
    return object.getMetadata().getAnnotations() == null
        ? Map.of()
        : object.getMetadata().getAnnotations();
  }

  private JsonNode ledgerList(String key) throws Exception {
    return JSON.readTree(ledger().getData().get(key));
  }

  private Map<String, String> pauseRecords() {
    Map<String, String> records = new LinkedHashMap<>();
    for (String key : List.of("workloads", "cronjobs", "autoscalers", "scaled-objects", "argocd")) {
      records.put(key, ledger().getData().get(key));
    }
    return records;
  }

  /** The resourceVersions of every controller object, to see that nothing was written. */
  private String versions() {
    return hpa("web").getMetadata().getResourceVersion()
        + "/"
        + scaledObject("worker").getMetadata().getResourceVersion()
        + "/"
        + cronJob("report").getMetadata().getResourceVersion()
        + "/"
        + application("argocd", "shop").getMetadata().getResourceVersion();
  }

  private static void assertBad(Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).contains(message);
    assertThat(result.err().lines().count()).as(result.err()).isLessThanOrEqualTo(2);
  }
}
