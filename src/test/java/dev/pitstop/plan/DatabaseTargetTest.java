package dev.pitstop.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.plan.DatabaseTarget.ServiceInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseTargetTest {
  private static final Map<String, ServiceInfo> SERVICES =
      Map.of(
          "db", new ServiceInfo("db", "ClusterIP", null, "10.96.0.15"),
          "db-external", new ServiceInfo("db-external", "ExternalName", "pg.example.com", null),
          "shop-db-rw", new ServiceInfo("shop-db-rw", "ClusterIP", null, "10.96.0.20"));

  private static DatabaseTarget target(String url) {
    return new DatabaseTarget(url, "shop", SERVICES);
  }

  @Test
  void everyClusterNameOfTheServiceIsTheSameServer() {
    DatabaseTarget db = target("jdbc:postgresql://db:5432/shop");

    for (String host :
        new String[] {"db", "db.shop", "db.shop.svc", "db.shop.svc.cluster.local", "10.96.0.15"}) {
      assertThat(db.sameServer(host, 5432)).as(host).isTrue();
    }
    assertThat(db.sameServer("DB.SHOP.SVC.CLUSTER.LOCAL.", null)).isTrue();
  }

  @Test
  void theSameNameInAnotherNamespaceIsAnotherServer() {
    DatabaseTarget db = target("jdbc:postgresql://db:5432/shop");

    assertThat(db.sameServer("db.billing", 5432)).isFalse();
    assertThat(db.sameServer("db.billing.svc.cluster.local", 5432)).isFalse();
  }

  @Test
  void anotherPortIsAnotherServer() {
    assertThat(target("jdbc:postgresql://db:5432/shop").sameServer("db", 5433)).isFalse();
  }

  @Test
  void anExternalNameServiceIsFollowedBothWays() {
    DatabaseTarget external = target("jdbc:postgresql://pg.example.com:5432/shop");
    DatabaseTarget alias = target("jdbc:postgresql://db-external:5432/shop");

    assertThat(external.sameServer("db-external", 5432)).isTrue();
    assertThat(external.sameServer("db-external.shop.svc", null)).isTrue();
    assertThat(alias.sameServer("pg.example.com", 5432)).isTrue();
    assertThat(alias.sameServer("db", 5432)).isFalse();
  }

  @Test
  void placeholdersNeverMatch() {
    assertThat(target("jdbc:postgresql://db:5432/shop").sameServer("$(DB_HOST)", 5432)).isFalse();
  }

  @Test
  void operatorServicesNameTheirClusterAndItsSecrets() {
    DatabaseTarget cnpg = target("jdbc:postgresql://shop-db-rw.shop.svc:5432/app");

    assertThat(cnpg.operatorCluster()).contains("shop-db");
    assertThat(cnpg.isOperatorSecret("shop-db-app")).isTrue();
    assertThat(cnpg.isOperatorSecret("shop-db-superuser")).isTrue();
    assertThat(cnpg.isOperatorSecret("shop-db-pguser-shop")).isTrue();
    assertThat(cnpg.isOperatorSecret("other-app")).isFalse();
    assertThat(target("jdbc:postgresql://db:5432/shop").operatorCluster()).isEmpty();
  }
}
