package dev.pitstop.step;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.GatewayApi;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code --mode httproute} against the in-memory API server, with and without the Gateway API. */
class HttpRouteMaintenanceIT extends ClusterTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] ON = {
    "maintenance-on",
    "--mode",
    "httproute",
    "--httproute",
    "shop",
    "--maintenance-backend",
    "maintenance-page:80"
  };

  @BeforeEach
  void lock() {
    assertThat(pitstopRun("lock").exitCode()).isZero();
  }

  private void installGatewayApi() {
    GatewayApi.install(client, NS);
  }

  private JsonNode spec() {
    return JSON.valueToTree(
            client
                .genericKubernetesResources(GatewayApi.ROUTES)
                .inNamespace(NS)
                .withName("shop")
                .get())
        .path("spec");
  }

  private static List<JsonNode> backendRefs(JsonNode spec) {
    List<JsonNode> refs = new ArrayList<>();
    spec.path("rules").forEach(rule -> rule.path("backendRefs").forEach(refs::add));
    return refs;
  }

  private Result on(String... more) {
    List<String> args = new ArrayList<>(List.of(ON).subList(1, ON.length));
    args.addAll(List.of(more));
    return pitstopRun(ON[0], args.toArray(String[]::new));
  }

  private Result onWithBackend(String backend) {
    return pitstopRun(
        "maintenance-on",
        "--mode",
        "httproute",
        "--httproute",
        "shop",
        "--maintenance-backend",
        backend);
  }

  @Test
  void everyBackendRefPointsAtMaintenanceAndOffRestoresTheRouteExactly() {
    installGatewayApi();
    JsonNode before = spec();

    Result first = on();
    Result second = on();

    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.out()).contains("already on");
    JsonNode during = spec();
    assertThat(backendRefs(during))
        .hasSize(3)
        .allSatisfy(
            ref ->
                assertThat(ref)
                    .isEqualTo(
                        JSON.createObjectNode().put("name", "maintenance-page").put("port", 80)));
    assertThat(during.path("rules").get(1)).isEqualTo(before.path("rules").get(1));
    assertThat(during.path("rules").get(2).path("timeouts"))
        .isEqualTo(before.path("rules").get(2).path("timeouts"));
    assertThat(during.path("parentRefs")).isEqualTo(before.path("parentRefs"));
    assertThat(ledger().getData().get("maintenance")).contains("httproute", "shop-web-canary");
    assertThat(events())
        .anyMatch(
            e ->
                e.getReason().equals("MaintenanceOn")
                    && e.getInvolvedObject().getKind().equals("HTTPRoute"));

    Result off = pitstopRun("maintenance-off");
    Result offAgain = pitstopRun("maintenance-off");

    assertThat(off.exitCode()).as(off.toString()).isZero();
    assertThat(off.out()).contains("restored httproute/shop");
    assertThat(offAgain.exitCode()).as(offAgain.toString()).isZero();
    assertThat(spec()).isEqualTo(before);
  }

  @Test
  void withoutTheGatewayApiItIsExit2AndNothingChanges() {
    String before = snapshotOfState();

    Result on = on();

    assertThat(on.exitCode()).as(on.toString()).isEqualTo(2);
    assertThat(on.err())
        .contains("does not serve the Gateway API (HTTPRoute gateway.networking.k8s.io/v1)");
    assertThat(on.err().strip().lines()).hasSize(1);
    assertThat(snapshotOfState()).isEqualTo(before);
    assertThat(ledger().getData()).doesNotContainKey("maintenance");
  }

  @Test
  void aMissingRouteOrABadBackendIsExit2AndNothingChanges() {
    installGatewayApi();
    JsonNode before = spec();
    String state = snapshotOfState();

    Result missing =
        pitstopRun(
            "maintenance-on",
            "--mode",
            "httproute",
            "--httproute",
            "nope",
            "--maintenance-backend",
            "maintenance-page:80");
    Result namedPort = onWithBackend("maintenance-page:http");
    Result noRoute =
        pitstopRun("maintenance-on", "--mode", "httproute", "--maintenance-backend", "m:80");
    Result noBackend = pitstopRun("maintenance-on", "--mode", "httproute", "--httproute", "shop");
    Result badPort = onWithBackend("maintenance-page:99999999999");

    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
    assertThat(missing.err()).contains("httproute/nope does not exist in namespace shop");
    assertThat(namedPort.exitCode()).isEqualTo(2);
    assertThat(namedPort.err()).contains("the Service's port number");
    assertThat(noRoute.exitCode()).isEqualTo(2);
    assertThat(noRoute.err()).contains("--mode httproute needs --httproute");
    assertThat(noBackend.exitCode()).isEqualTo(2);
    assertThat(noBackend.err()).contains("needs --maintenance-backend");
    assertThat(badPort.exitCode()).isEqualTo(2);
    assertThat(badPort.err()).contains("is not 1-65535");
    assertThat(spec()).isEqualTo(before);
    assertThat(snapshotOfState()).isEqualTo(state);
    assertThat(ledger().getData()).doesNotContainKey("maintenance");
  }

  @Test
  void dryRunWritesNothing() {
    installGatewayApi();
    JsonNode before = spec();
    String state = snapshotOfState();

    Result on = on("--dry-run");

    assertThat(on.exitCode()).as(on.toString()).isZero();
    assertThat(on.out()).contains("dry run: would switch on httproute/shop");
    assertThat(spec()).isEqualTo(before);
    assertThat(snapshotOfState()).isEqualTo(state);
    assertThat(ledger().getData()).doesNotContainKey("maintenance");
  }

  @Test
  void aRouteWhoseRulesChangedDuringMaintenanceIsNotGuessedBack() {
    installGatewayApi();
    assertThat(on().exitCode()).isZero();
    client
        .genericKubernetesResources(GatewayApi.ROUTES)
        .inNamespace(NS)
        .withName("shop")
        .edit(
            route -> {
              @SuppressWarnings("unchecked")
              List<Object> rules =
                  (List<Object>)
                      ((java.util.Map<String, Object>) route.getAdditionalProperties().get("spec"))
                          .get("rules");
              rules.remove(2);
              return route;
            });
    JsonNode edited = spec();

    Result off = pitstopRun("maintenance-off");

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.err()).contains("restore its backendRefs by hand from the run record");
    assertThat(spec()).isEqualTo(edited);
  }
}
