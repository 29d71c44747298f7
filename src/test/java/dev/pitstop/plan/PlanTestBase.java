package dev.pitstop.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.demo.DemoCluster;
import dev.pitstop.testing.CliRunner.Result;
import dev.pitstop.testing.ClusterTestBase;
import dev.pitstop.testing.RunFixture;
import dev.pitstop.testing.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The sample app in the in-memory cluster, a real PostgreSQL at the demo's version 1, and the
 * database reachable in the cluster as Service {@code db} (an ExternalName), as most apps reach a
 * managed database.
 */
abstract class PlanTestBase extends ClusterTestBase {
  static TestPostgres postgres;
  RunFixture fixture;
  ClusterShapes shapes;

  @BeforeAll
  static void startPostgres() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @BeforeEach
  void database() throws Exception {
    fixture = RunFixture.start(postgres, "shop", cli);
    shapes = new ClusterShapes(client, postgres.port()).databaseService(NS, "db");
  }

  @AfterEach
  void closeFixture() {
    fixture.close();
  }

  /** Access reviews answered as an API server would, allowing what {@code allowed} accepts. */
  void accessReviews(Predicate<Map<String, Object>> allowed) {
    DemoCluster.answerAccessReviews(server, allowed);
  }

  String jdbcUrl() {
    return postgres.url("shop");
  }

  /** {@code pitstop plan --app shop -n shop --jdbc-url … --db-user postgres <args>}. */
  Result plan(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--jdbc-url", jdbcUrl(), "--db-user", "postgres", "--locations", RunFixture.V2));
    all.addAll(List.of(args));
    return pitstop("plan", all.toArray(String[]::new));
  }

  /** The plan as JSON, checking it was printed as one object. */
  static JsonNode json(Result result) {
    try {
      return new ObjectMapper().readTree(result.out());
    } catch (IOException e) {
      throw new UncheckedIOException(result.toString(), e);
    }
  }

  /** Workload to certainty, from the JSON plan. */
  static Map<String, String> consumers(JsonNode plan) {
    Map<String, String> found = new LinkedHashMap<>();
    plan.path("consumers")
        .forEach(c -> found.put(c.path("workload").asText(), c.path("certainty").asText()));
    return found;
  }

  static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.isTextual() ? n.asText() : n.toString()));
    return texts;
  }

  static void assertExit(Result result, int code) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(code);
  }
}
