package dev.pitstop.step;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

/**
 * Scripted HTTP failures (expectation mode): 5xx, 429 and conflicts are retried inside the step.
 */
@EnableKubernetesMockClient
class TransientFailuresIT {
  private static final String LEDGER_PATH = "/api/v1/namespaces/shop/configmaps/pitstop-shop";

  KubernetesMockServer server;

  @Test
  void serverErrorsAndConflictsAreRetriedUntilTheLockIsTaken() {
    server.expect().get().withPath(LEDGER_PATH).andReturn(500, "boom").times(2);
    server.expect().get().withPath(LEDGER_PATH).andReturn(404, notFound()).times(2);
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/shop/configmaps")
        .andReturn(409, conflict())
        .once();
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/shop/configmaps")
        .andReturn(
            201,
            new ConfigMapBuilder().withNewMetadata().withName("pitstop-shop").endMetadata().build())
        .once();

    Result result =
        CliRunner.against(server)
            .run("lock", "--app", "shop", "-n", "shop", "--run-id", "r1", "--timeout", "30s");

    assertThat(result.exitCode()).as(result.toString()).isZero();
  }

  @Test
  void throttlingThatOutlastsTheTimeoutIsExit75() {
    server.expect().get().withPath(LEDGER_PATH).andReturn(429, "slow down").always();

    Result result =
        CliRunner.against(server)
            .run("lock", "--app", "shop", "-n", "shop", "--run-id", "r1", "--timeout", "2s");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(75);
    assertThat(result.err()).contains("still failing after").contains("429");
  }

  @Test
  void anUnreachableApiServerIsExit75() {
    CliRunner unreachable =
        new CliRunner(
            () ->
                new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                    .withConfig(
                        new io.fabric8.kubernetes.client.ConfigBuilder()
                            .withMasterUrl("https://127.0.0.1:1")
                            .withRequestRetryBackoffLimit(0)
                            .build())
                    .build());

    Result result = unreachable.run("status", "--app", "shop", "-n", "shop", "--timeout", "2s");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(75);
    assertThat(result.err()).contains("unreachable");
  }

  private static io.fabric8.kubernetes.api.model.Status notFound() {
    return new StatusBuilder()
        .withCode(404)
        .withReason("NotFound")
        .withMessage("not found")
        .build();
  }

  private static io.fabric8.kubernetes.api.model.Status conflict() {
    return new StatusBuilder()
        .withCode(409)
        .withReason("AlreadyExists")
        .withMessage("exists")
        .build();
  }
}
