package dev.pitstop.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.plan.ConnectionStrings.HostPort;
import dev.pitstop.plan.ConnectionStrings.Reference;
import dev.pitstop.plan.ConnectionStrings.SettingKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionStringsTest {
  private static Reference only(String text) {
    List<Reference> found = ConnectionStrings.find(text);
    assertThat(found).as(text).hasSize(1);
    return found.get(0);
  }

  @Test
  void springBootJdbcUrlGivesHostPortAndDatabase() {
    Reference url = only("jdbc:postgresql://db.shop.svc.cluster.local:5432/shop?sslmode=require");

    assertThat(url.hosts()).containsExactly(new HostPort("db.shop.svc.cluster.local", 5432));
    assertThat(url.database()).isEqualTo("shop");
  }

  @Test
  void herokuStyleDatabaseUrlLosesItsPasswordWhenShown() {
    Reference url = only("postgres://shop:s3cr%40t@db:5433/shop");

    assertThat(url.hosts()).containsExactly(new HostPort("db", 5433));
    assertThat(url.database()).isEqualTo("shop");
    assertThat(url.shown()).isEqualTo("postgres://shop:****@db:5433/shop").doesNotContain("s3cr");
  }

  @Test
  void anUnencodedPasswordWithAtAndSlashIsRemovedWhole() {
    Reference url = only("postgres://shop:p@ss/w0rd@db:5432/shop");

    assertThat(url.hosts()).containsExactly(new HostPort("db", 5432));
    assertThat(url.database()).isEqualTo("shop");
    assertThat(url.shown()).isEqualTo("postgres://shop:****@db:5432/shop");
    assertThat(
            ConnectionStrings.redact(
                "a=postgres://u:x@y/z@h/db b=jdbc:postgresql://h/db?password=q"))
        .isEqualTo("a=postgres://u:****@h/db b=jdbc:postgresql://h/db?password=****");
  }

  @Test
  void passwordParametersAreRemovedFromShownUrls() {
    Reference url =
        only("jdbc:postgresql://shop-db-rw.shop:5432/app?password=hunter2&user=app&ssl=true");

    assertThat(url.shown())
        .isEqualTo("jdbc:postgresql://shop-db-rw.shop:5432/app?password=****&user=app&ssl=true");
  }

  @Test
  void multiHostJdbcUrlsAndReactiveUrlsAreUnderstood() {
    Reference failover = only("jdbc:postgresql://pg-0.pg:5432,pg-1.pg:5432/orders");
    Reference quarkusReactive = only("vertx-reactive:postgresql://db:5432/orders");
    Reference r2dbc = only("r2dbc:pool:postgresql://db/orders");

    assertThat(failover.hosts())
        .containsExactly(new HostPort("pg-0.pg", 5432), new HostPort("pg-1.pg", 5432));
    assertThat(quarkusReactive.database()).isEqualTo("orders");
    assertThat(r2dbc.hosts()).containsExactly(new HostPort("db", null));
  }

  @Test
  void libpqKeywordStringsCount() {
    Reference dsn = only("host=db port=5432 dbname=shop user=shop password=x sslmode=disable");

    assertThat(dsn.hosts()).containsExactly(new HostPort("db", 5432));
    assertThat(dsn.database()).isEqualTo("shop");
    assertThat(dsn.shown()).contains("password=****").doesNotContain("password=x ");
  }

  @Test
  void commentedOutLinesAreNotConfiguration() {
    String properties =
        String.join(
            "\n",
            "# spring.datasource.url=jdbc:postgresql://db:5432/shop",
            "// jdbc:postgresql://db:5432/shop",
            "-- jdbc:postgresql://db:5432/shop",
            "<!-- <url>jdbc:postgresql://db:5432/shop</url> -->",
            "server.port=8080 # was jdbc:postgresql://db:5432/shop",
            "spring.datasource.url=jdbc:postgresql://other:5432/other");

    assertThat(ConnectionStrings.find(properties))
        .extracting(Reference::database)
        .containsExactly("other");
  }

  @Test
  void settingNamesFollowTheUsualConventions() {
    Map<String, SettingKind> expected =
        Map.ofEntries(
            Map.entry("SPRING_DATASOURCE_URL", SettingKind.URL),
            Map.entry("QUARKUS_DATASOURCE_JDBC_URL", SettingKind.URL),
            Map.entry("DATABASE_URL", SettingKind.URL),
            Map.entry("PGHOST", SettingKind.HOST),
            Map.entry("DB_HOST", SettingKind.HOST),
            Map.entry("POSTGRES_SERVER", SettingKind.HOST),
            Map.entry("PGPORT", SettingKind.PORT),
            Map.entry("DATABASE_PORT", SettingKind.PORT),
            Map.entry("PGDATABASE", SettingKind.DATABASE),
            Map.entry("POSTGRES_DB", SettingKind.DATABASE),
            Map.entry("DB_NAME", SettingKind.DATABASE),
            Map.entry("PGPASSWORD", SettingKind.PASSWORD),
            Map.entry("SPRING_DATASOURCE_PASSWORD", SettingKind.PASSWORD),
            Map.entry("PORT", SettingKind.OTHER),
            Map.entry("HOST", SettingKind.OTHER),
            Map.entry("REDIS_HOST", SettingKind.OTHER));
    expected.forEach(
        (name, kind) -> assertThat(ConnectionStrings.kindOf(name, false)).as(name).isEqualTo(kind));
  }

  @Test
  void operatorSecretKeysCountOnlyInsideAnObject() {
    assertThat(ConnectionStrings.kindOf("host", true)).isEqualTo(SettingKind.HOST);
    assertThat(ConnectionStrings.kindOf("port", true)).isEqualTo(SettingKind.PORT);
    assertThat(ConnectionStrings.kindOf("dbname", true)).isEqualTo(SettingKind.DATABASE);
    assertThat(ConnectionStrings.kindOf("jdbc-uri", true)).isEqualTo(SettingKind.URL);
    assertThat(ConnectionStrings.mentionsDatabase("REDIS_URL")).isFalse();
    assertThat(ConnectionStrings.mentionsDatabase("DATABASE_URL")).isTrue();
  }

  @Test
  void variableReferencesAreExpandedAsTheKubeletDoes() {
    Map<String, String> known = Map.of("DB_HOST", "db", "DB_NAME", "shop");

    assertThat(
            ConsumerScan.expand(
                "jdbc:postgresql://$(DB_HOST):5432/$(DB_NAME)?x=$$(DB_HOST)", known))
        .isEqualTo("jdbc:postgresql://db:5432/shop?x=$(DB_HOST)");
    assertThat(ConsumerScan.expand("postgres://$(UNKNOWN)/shop", known))
        .isEqualTo("postgres://$(UNKNOWN)/shop");
  }
}
