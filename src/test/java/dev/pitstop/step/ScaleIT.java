package dev.pitstop.step;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.demo.SampleApp;
import dev.pitstop.testing.ApiFaults;
import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.RequestRecorder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScaleIT extends ClusterTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeEach
  void lock() {
    assertThat(pitstopRun("lock").exitCode()).isZero();
  }

  private JsonNode recordedWorkloads() throws Exception {
    return JSON.readTree(ledger().getData().get("workloads"));
  }

  @Test
  void scaleDownRecordsThenScalesToZeroAndWaitsForThePodsToGo() throws Exception {
    Result result =
        pitstopRun(
            "scale-down", "--workload", "deployment/web", "--workload", "statefulset/worker");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(pods("web")).isZero();
    assertThat(pods("worker")).isZero();
    assertThat(web().getSpec().getReplicas()).isZero();
    assertThat(web().getMetadata().getAnnotations()).containsEntry("pitstop.dev/run-id", RUN);
    JsonNode recorded = recordedWorkloads();
    assertThat(recorded).hasSize(2);
    assertThat(recorded.get(0).get("replicas").asInt()).isEqualTo(3);
    assertThat(recorded.get(0).get("images").get("web").asText()).isEqualTo("shop:1.0");
    assertThat(recorded.get(1).get("replicas").asInt()).isEqualTo(2);
    assertThat(events()).filteredOn(e -> e.getReason().equals("ScaledDown")).hasSize(2);
  }

  @Test
  void scaleDownTwiceGivesTheSameStateAndRecordsReplicasOnlyOnce() throws Exception {
    pitstopRun("scale-down", "--selector", "app=shop");
    String ledgerAfterFirst = ledger().getData().get("workloads");

    Result again = pitstopRun("scale-down", "--selector", "app=shop");

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(ledger().getData().get("workloads")).isEqualTo(ledgerAfterFirst);
    assertThat(recordedWorkloads().get(0).get("replicas").asInt()).isEqualTo(3);
    assertThat(again.err())
        .contains("deployment/web is at 0 already")
        .doesNotContain("scaled deployment/web to 0");
  }

  @Test
  void verboseShowsEveryRequestAndWaitAsItHappens() {
    Result quiet = pitstopRun("scale-down", "--workload", "deployment/web");
    Result verbose = pitstopRun("scale-up", "-v");

    assertThat(quiet.err()).doesNotContain("debug:");
    assertThat(verbose.exitCode()).as(verbose.toString()).isZero();
    assertThat(verbose.err())
        .contains("debug: API: update the run record configmap/pitstop-shop")
        .contains("debug: waiting up to")
        .contains("to be ready");
  }

  @Test
  void statusShowsTheRecordedImagesAndCountsReplicasInWords() {
    pitstopRun("scale-down", "--selector", "app=shop");
    client.apps().statefulSets().inNamespace(NS).withName("worker").scale(1);

    Result status = pitstop("status");

    assertThat(status.out())
        .contains("deployment/web: recorded 3 replicas {web=shop:1.0, sidecar=proxy:1.0}, now 0")
        .contains("statefulset/worker: recorded 2 replicas {worker=shop-worker:1.0}, now 1");
  }

  @Test
  void scaleDownKilledHalfWayIsFinishedByARerunWithoutRecordingZero() throws Exception {
    // The first attempt recorded web and scaled it, then died before worker.
    pitstopRun("scale-down", "--workload", "deployment/web");
    assertThat(web().getSpec().getReplicas()).isZero();

    Result rerun =
        pitstopRun(
            "scale-down", "--workload", "deployment/web", "--workload", "statefulset/worker");

    assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
    assertThat(recordedWorkloads().get(0).get("replicas").asInt()).isEqualTo(3);
    assertThat(recordedWorkloads().get(1).get("replicas").asInt()).isEqualTo(2);
    assertThat(pods("worker")).isZero();
  }

  @ParameterizedTest(name = "{0} on the pod {1}")
  @CsvSource({"HTTP_500, list", "RESET, list", "HTTP_500, watch", "RESET, watch"})
  void aBrokenPodWatchDoesNotEndTheWait(ApiFaults.Fault fault, String request) {
    // The watch that tells scale-down the pods are gone fails once, on its first list or on the
    // watch itself: the step keeps waiting (by reading, if the watch is gone) and succeeds.
    try (ApiFaults faults = new ApiFaults()) {
      faults.failFirst(
          uri ->
              uri.getPath().endsWith("/namespaces/" + NS + "/pods")
                  && String.valueOf(uri.getQuery()).contains("watch=true")
                      == request.equals("watch"),
          fault);
      Result result =
          faults
              .runner(client.getConfiguration())
              .run(
                  "scale-down",
                  "--app",
                  "shop",
                  "-n",
                  NS,
                  "--run-id",
                  RUN,
                  "--timeout",
                  "20s",
                  "--workload",
                  "deployment/web",
                  "--workload",
                  "statefulset/worker");

      assertThat(faults.injectedAt()).as("the fault was injected").isNotNull();
      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(pods("web")).isZero();
      assertThat(pods("worker")).isZero();
    }
  }

  @Test
  void scaleDownFailsNamingThePodsStillThereAtTheDeadline() {
    controllers.stuckPods("web");

    Result result =
        pitstop("scale-down", "--run-id", RUN, "--workload", "deployment/web", "--timeout", "2s");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err()).contains("pods still running").contains("deployment/web: web-");
  }

  @Test
  void scaleUpRestoresTheRecordedReplicasAndNewImagesAndWaitsForTheRollout() {
    pitstopRun("scale-down", "--selector", "app=shop");

    Result result = pitstopRun("scale-up", "--image", "web=shop:2.0");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(worker().getSpec().getReplicas()).isEqualTo(2);
    assertThat(web().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("shop:2.0");
    assertThat(web().getSpec().getTemplate().getSpec().getContainers().get(1).getImage())
        .isEqualTo("proxy:1.0");
    assertThat(web().getStatus().getAvailableReplicas()).isEqualTo(3);
    assertThat(pods("web")).isEqualTo(3);
    assertThat(web().getMetadata().getAnnotations()).doesNotContainKey("pitstop.dev/run-id");

    Result again = pitstopRun("scale-up", "--image", "web=shop:2.0");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void scaleUpTimesOutSayingWhyPerWorkload() {
    controllers.crashingImage("shop:broken");
    pitstopRun("scale-down", "--workload", "deployment/web");

    Result result =
        pitstop("scale-up", "--run-id", RUN, "--image", "web=shop:broken", "--timeout", "3s");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err())
        .contains("deployment/web has 0/3 ready")
        .contains("CrashLoopBackOff in container web");
  }

  @Test
  void rollbackRestoresTheOriginalImagesAndReplicasExactly() {
    controllers.crashingImage("shop:broken");
    pitstopRun("scale-down", "--selector", "app=shop");
    pitstop("scale-up", "--run-id", RUN, "--image", "web=shop:broken", "--timeout", "2s");

    Result result = pitstopRun("rollback");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    Deployment web = web();
    assertThat(web.getSpec().getReplicas()).isEqualTo(3);
    assertThat(web.getSpec().getTemplate().getSpec().getContainers())
        .extracting(c -> c.getImage())
        .containsExactly("shop:1.0", "proxy:1.0");
    assertThat(worker().getSpec().getReplicas()).isEqualTo(2);
    assertThat(pods("web")).isEqualTo(3);
    assertThat(pitstopRun("rollback").exitCode()).isZero();
  }

  @Test
  void rollbackThatCannotGetReadyExits4AndLeavesTheFailureInTheRecord() {
    controllers.crashingImage("shop:1.0");
    pitstopRun("scale-down", "--workload", "deployment/web");

    Result result = pitstop("rollback", "--run-id", RUN, "--timeout", "2s");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(4);
    assertThat(result.err()).contains("stays in maintenance and locked");
    assertThat(ledger().getData()).containsKey("rollback-failed");
    Result status = pitstop("status");
    assertThat(status.out())
        .contains("rollback-failed")
        .contains("next: fix what the rollback reported");

    Result unlock = pitstopRun("unlock");
    assertThat(unlock.exitCode()).as(unlock.toString()).isEqualTo(4);
    assertThat(unlock.err()).contains("will not unlock").contains("--force");
    assertThat(pitstopRun("maintenance-off").exitCode()).isEqualTo(4);
    assertThat(ledger()).isNotNull();
    Result forced = pitstopRun("unlock", "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(ledger()).isNull();
  }

  @Test
  void statusShowsTheLockAndRecordedVersusCurrentReplicas() {
    pitstopRun("scale-down", "--workload", "deployment/web");

    Result status = pitstop("status");

    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out())
        .contains("locked by run run-1")
        .contains("deployment/web: recorded 3 replicas {web=shop:1.0, sidecar=proxy:1.0}, now 0")
        .contains("maintenance: off");
    Result json = pitstop("status", "--output", "json");
    assertThat(json.out()).contains("\"recorded-replicas\":3").contains("\"current-replicas\":0");
  }

  @Test
  void stepsCanBePreviewedBeforeTheLockButNotUnderAnotherRunsLock() {
    assertThat(pitstopRun("unlock", "--force").exitCode()).isZero();
    String before = snapshotOfState();

    Result down = pitstopRun("scale-down", "--selector", "app=shop", "--dry-run");
    Result on =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "maintenance",
            "--dry-run");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(down.out()).contains("dry run");
    assertThat(down.err()).contains("the real step needs `pitstop lock");
    assertThat(on.exitCode()).as(on.toString()).isZero();
    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(pitstop("lock", "--run-id", "other-run").exitCode()).isZero();
    assertThat(pitstopRun("scale-down", "--selector", "app=shop", "--dry-run").exitCode())
        .as("as the real step would")
        .isEqualTo(3);
  }

  @Test
  void dryRunsChangeNothing() {
    String before = snapshotOfState();

    assertThat(pitstopRun("scale-down", "--selector", "app=shop", "--dry-run").exitCode()).isZero();
    assertThat(pitstopRun("scale-up", "--dry-run").exitCode()).isZero();
    assertThat(pitstopRun("rollback", "--dry-run").exitCode()).isZero();

    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(ledger().getData()).doesNotContainKey("workloads");
  }

  @Test
  void badInputIsExit2WithAClearMessageAndNoChange() {
    String before = snapshotOfState();

    assertBad(
        pitstopRun("scale-down", "--workload", "deployment/Web_1"), "not a valid Kubernetes name");
    assertBad(pitstopRun("scale-down", "--workload", "job/web"), "unknown workload kind 'job'");
    assertBad(pitstopRun("scale-down", "--workload", "web"), "write it as kind/name");
    assertBad(
        pitstopRun(
            "scale-down", "--workload", "deployment/missing", "--workload", "deployment/web"),
        "deployment/missing not found");
    assertBad(pitstopRun("scale-down", "--selector", "app"), "malformed");
    assertBad(pitstopRun("scale-down", "--selector", "app=nothing-here"), "matches no Deployment");
    assertBad(pitstopRun("scale-down"), "name the workloads");
    assertBad(
        pitstopRun("scale-down", "--workload", "deployment/web", "--frobnicate"),
        "unknown option --frobnicate");
    assertBad(pitstopRun("scale-up", "--image", "web"), "CONTAINER=IMAGE");
    assertBad(
        pitstopRun("scale-down", "--workload", "deployment/web", "--timeout", "soon"),
        "invalid duration");

    assertThat(snapshotOfState()).isEqualTo(before);
  }

  @Test
  void scaleUpOfAWorkloadThisRunDidNotScaleDownIsBadInput() {
    pitstopRun("scale-down", "--workload", "deployment/web");
    String before = snapshotOfState();

    assertBad(
        pitstopRun("scale-up", "--workload", "statefulset/worker"),
        "was not scaled down by run run-1");
    assertBad(pitstopRun("scale-up", "--image", "nosuch=img:1"), "none of the workloads has");

    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(Map.of("replicas", web().getSpec().getReplicas())).containsEntry("replicas", 0);
  }

  @Test
  void slowControllersAreWaitedForWithinTheDeadline() {
    controllers.podDelay(Duration.ofMillis(300));

    Result down = pitstopRun("scale-down", "--workload", "deployment/web");
    Result up = pitstopRun("scale-up");

    assertThat(down.exitCode()).as(down.toString()).isZero();
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(pods("web")).isEqualTo(3);
  }

  @Test
  void manyWorkloadsShareOneWatchAndAreNotReadOneByOne() {
    int extra = 20;
    for (int i = 0; i < extra; i++) {
      client
          .apps()
          .deployments()
          .inNamespace(NS)
          .resource(SampleApp.deployment("extra" + i, 1, "shop:1.0"))
          .create();
    }
    awaitPods("extra" + (extra - 1), 1);
    RequestRecorder recorder = new RequestRecorder();
    CliRunner recorded = new CliRunner(() -> recorder.clientFor(server));
    String[] run = {"--app", "shop", "-n", NS, "--run-id", RUN, "--timeout", "20s"};

    Result down =
        recorded.run(
            Stream.of(new String[] {"scale-down"}, run, new String[] {"--selector", "app=shop"})
                .flatMap(Stream::of)
                .toArray(String[]::new));

    assertThat(down.exitCode()).as(down.toString()).isZero();
    int workloads = extra + 2; // and web and worker
    assertThat(recorder.count("", "pods", "watch")).isEqualTo(1);
    assertUpdatedOnceEachReadOnlyAfterAConflict(recorder, extra + 1);
    assertThat(events()).filteredOn(e -> e.getReason().equals("ScaledDown")).hasSize(workloads);

    recorder.clear();
    Result up =
        recorded.run(Stream.concat(Stream.of("scale-up"), Stream.of(run)).toArray(String[]::new));

    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(recorder.count("apps", "deployments", "watch")).isEqualTo(1);
    assertUpdatedOnceEachReadOnlyAfterAConflict(recorder, extra + 1);
    assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    assertThat(events()).filteredOn(e -> e.getReason().equals("ScaledUp")).hasSize(workloads);
  }

  /** The Deployments are updated from the copy listed; a 409 costs one more read and update. */
  private static void assertUpdatedOnceEachReadOnlyAfterAConflict(
      RequestRecorder recorder, int deployments) {
    int updates = recorder.count("apps", "deployments", "update");
    assertThat(updates).isGreaterThanOrEqualTo(deployments);
    assertThat(recorder.count("apps", "deployments", "get")).isEqualTo(updates - deployments);
  }

  private static void assertBad(Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).contains(message);
    assertThat(result.err().lines().count()).as(result.err()).isLessThanOrEqualTo(2);
  }
}
