package dev.pitstop.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import java.net.ConnectException;
import java.sql.SQLException;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

class PgErrorsTest {
  private final DbConnection db =
      DbConnection.of("jdbc:postgresql://db:5432/shop", "shop", "pa55-word".toCharArray());

  private int exitFor(String sqlState) {
    return PgErrors.classify(
            new FlywayException("wrapped", new SQLException("ERROR: boom", sqlState)), db, "doing")
        .exitCode();
  }

  @Test
  void sqlStatesMapToTheRetryContract() {
    assertThat(exitFor("55P03")).isEqualTo(ExitCode.TRANSIENT);
    assertThat(exitFor("57014")).isEqualTo(ExitCode.TRANSIENT);
    assertThat(exitFor("08001")).isEqualTo(ExitCode.TRANSIENT);
    assertThat(exitFor("08006")).isEqualTo(ExitCode.TRANSIENT);
    assertThat(exitFor("57P03")).isEqualTo(ExitCode.TRANSIENT);
    assertThat(exitFor("53300")).isEqualTo(ExitCode.TRANSIENT);
    assertThat(exitFor("40P01")).isEqualTo(ExitCode.TRANSIENT);
    assertThat(exitFor("55006")).isEqualTo(ExitCode.TRANSIENT);
    assertThat(exitFor("28P01")).isEqualTo(ExitCode.USAGE);
    assertThat(exitFor("28000")).isEqualTo(ExitCode.USAGE);
    assertThat(exitFor("3D000")).isEqualTo(ExitCode.USAGE);
    assertThat(exitFor("42501")).isEqualTo(ExitCode.USAGE);
    assertThat(exitFor("42P01")).isEqualTo(ExitCode.FAILED);
    assertThat(exitFor("23505")).isEqualTo(ExitCode.FAILED);
  }

  @Test
  void aMissingPasswordIsBadConfigurationAtOnceNotATransientFailure() {
    // pgjdbc's own words when PITSTOP_DB_PASSWORD is unset and the server asks for one
    PitstopException e =
        PgErrors.classify(
            new SQLException(
                "The server requested password-based authentication, but no password was provided"
                    + " by plugin null",
                "08004"),
            db,
            "connecting");

    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(e.getMessage())
        .contains("the server asks for a password and none was given")
        .contains("PITSTOP_DB_PASSWORD");
    assertThat(exitFor("08004")).as("a rejection for another reason").isEqualTo(ExitCode.TRANSIENT);
  }

  @Test
  void networkFailureWithoutSqlStateIsTransient() {
    PitstopException e =
        PgErrors.classify(new RuntimeException(new ConnectException("refused")), db, "connecting");
    assertThat(e.exitCode()).isEqualTo(ExitCode.TRANSIENT);
    assertThat(e.getMessage()).contains("cannot reach the database shop@db:5432/shop");
  }

  @Test
  void passwordIsRedactedFromMessagesAndTheWholeCauseChain() {
    SQLException leaky =
        new SQLException(
            "FATAL: bad login with pa55-word", "28P01", new IllegalStateException("pa55-word"));

    PitstopException e = PgErrors.classify(leaky, db, "connecting");

    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain("pa55-word");
    }
    assertThat(PgErrors.sqlState(e.getCause())).isEqualTo("28P01");
  }

  @Test
  void shortPasswordIsMaskedInAFailedLoginButLeavesAMigrationsErrorIntact() {
    DbConnection shortPassword =
        DbConnection.of("jdbc:postgresql://db:5432/shop", "shop", "ex".toCharArray());

    PitstopException login =
        PgErrors.classify(
            new SQLException("FATAL: login rejected, given ex", "28P01"), shortPassword, "login");
    PitstopException migration =
        PgErrors.classify(
            new SQLException("ERROR: relation \"x\" already exists", "42P07"),
            shortPassword,
            "migrating");

    assertThat(login.getMessage()).doesNotContain("given ex");
    assertThat(migration.getMessage()).contains("relation \"x\" already exists");
    assertThat(migration.getCause().getMessage()).contains("relation \"x\" already exists");
  }
}
