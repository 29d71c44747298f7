package dev.pitstop.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DbConnectionTest {
  @Test
  void describesItselfWithoutThePassword() {
    DbConnection db =
        DbConnection.of("jdbc:postgresql://db.internal:5433/shop", "shop", "s3cret!".toCharArray());

    assertThat(db.describe()).isEqualTo("shop@db.internal:5433/shop");
    assertThat(db.toString()).doesNotContain("s3cret!");
    assertThat(db.database()).isEqualTo("shop");
  }

  @Test
  void passwordInTheUrlIsMovedOutOfIt() {
    DbConnection db =
        DbConnection.of(
            "jdbc:postgresql://db:5432/shop?ssl=true&password=hunter22&user=shop", null, null);

    assertThat(db.user()).isEqualTo("shop");
    assertThat(db.redact("url jdbc:postgresql://db:5432/shop?password=hunter22&ssl=true"))
        .doesNotContain("hunter22");
    assertThat(db.withDatabase("postgres").toString()).doesNotContain("hunter22");
  }

  @Test
  void anotherDatabaseKeepsServerCredentialsAndParameters() {
    DbConnection db =
        DbConnection.of(
            "jdbc:postgresql://db1:5432,db2:5432/shop?targetServerType=primary",
            "shop",
            "pw-123456".toCharArray());

    DbConnection maintenance = db.withDatabase("postgres");

    assertThat(maintenance.database()).isEqualTo("postgres");
    assertThat(maintenance.user()).isEqualTo("shop");
    assertThat(maintenance.redact("jdbc:postgresql://db1:5432/postgres?password=pw-123456"))
        .doesNotContain("pw-123456");
    assertThat(maintenance)
        .isEqualTo(
            DbConnection.of(
                "jdbc:postgresql://db1:5432,db2:5432/postgres?targetServerType=primary",
                "shop",
                "pw-123456".toCharArray()));
  }

  @Test
  void shortAndCommonWordPasswordsLeaveTheWordsOfAMessageAlone() {
    for (String password : new String[] {"x", "ex", "exists", "already", "postgres", "shop"}) {
      DbConnection db =
          DbConnection.of("jdbc:postgresql://db:5432/shop", "postgres", password.toCharArray());

      assertThat(db.redact("ERROR: relation \"x\" already exists [SQLSTATE 42P07]"))
          .as(password)
          .isEqualTo("ERROR: relation \"x\" already exists [SQLSTATE 42P07]");
      assertThat(db.redact("FATAL: database \"postgres\" does not exist (postgres@db:5432/shop)"))
          .as(password)
          .isEqualTo("FATAL: database \"postgres\" does not exist (postgres@db:5432/shop)");
    }
  }

  @Test
  void secretsAreMaskedWhereTheyAreWritten() {
    DbConnection db = DbConnection.of("jdbc:postgresql://db:5432/shop", "shop", "ex".toCharArray());

    assertThat(db.redact("jdbc:postgresql://db:5432/shop?ssl=true&password=ex&user=shop"))
        .isEqualTo("jdbc:postgresql://db:5432/shop?ssl=true&password=****&user=shop");
    assertThat(db.redact("{user=shop, password=ex, ApplicationName=pitstop}"))
        .isEqualTo("{user=shop, password=****, ApplicationName=pitstop}");
    assertThat(db.redact("{\"user\":\"shop\",\"password\":\"ex\"}"))
        .isEqualTo("{\"user\":\"shop\",\"password\":****}");
    assertThat(db.redact("postgresql://shop:ex@db:5432/shop"))
        .isEqualTo("postgresql://shop:****@db:5432/shop");
    assertThat(db.redact("Statement: ALTER ROLE app PASSWORD 'it''s ex' VALID UNTIL 'infinity'"))
        .isEqualTo("Statement: ALTER ROLE app PASSWORD '****' VALID UNTIL 'infinity'");
    assertThat(db.redact("pwd: ex")).isEqualTo("pwd: ****");
  }
}
