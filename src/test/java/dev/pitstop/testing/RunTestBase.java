package dev.pitstop.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A whole run's world: the in-memory cluster of {@link ClusterTestBase}, one embedded PostgreSQL
 * for the test class, and for each test the app's database {@code shop} at version 1 with a health
 * endpoint ({@link RunFixture}).
 */
public abstract class RunTestBase extends ClusterTestBase {
  protected static TestPostgres postgres;
  protected RunFixture fixture;

  @BeforeAll
  static void startPostgres() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @BeforeEach
  void freshDatabaseAtVersion1() throws Exception {
    fixture = RunFixture.start(postgres, "shop", cli);
  }

  @AfterEach
  void stopHealth() {
    fixture.close();
  }
}
