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
    assertThat(db.redact("url jdbc:postgresql://db:5432/shop?password=hunter22 and hunter22"))
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
    assertThat(maintenance.redact("pw-123456")).isEqualTo("****");
    assertThat(maintenance)
        .isEqualTo(
            DbConnection.of(
                "jdbc:postgresql://db1:5432,db2:5432/postgres?targetServerType=primary",
                "shop",
                "pw-123456".toCharArray()));
  }
}
