package dev.pitstop.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.sql.SQLException;
import java.util.Map;

/**
 * The three end states the design allows for a run of the demo app, and a classifier that says
 * which one the cluster and the database are in, or why they are in none.
 */
public enum EndState {
  /** (a) Migrated, the new version up, maintenance off, unlocked. */
  MIGRATED("migrated & up"),
  /** (b) Schema and rows as before, original images and replicas, maintenance off, unlocked. */
  ROLLED_BACK("rolled back exactly"),
  /** (c) Maintenance on, lock held, and {@code status} names what is left and the next command. */
  STOPPED("stopped: maintenance on, locked, status says next"),
  /** Anything else: never allowed. */
  OTHER("OTHER (not allowed)");

  private final String label;

  EndState(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** What the database looked like before the run, to compare against. */
  public record Before(String version, String orders, String schema, String originalRows) {
    public static Before of(RunFixture db) throws SQLException {
      return new Before(db.version(), db.orders(), db.schema(), db.originalRows());
    }
  }

  /** The verdict, with the facts it was drawn from (for a failure message). */
  public record Verdict(EndState state, String facts) {}

  /**
   * Classifies the app {@code app} in {@code namespace}, expecting {@code newVersion} and {@code
   * newImage} on web when migrated; {@code status} runs {@code pitstop status} for the app.
   */
  public static Verdict classify(
      KubernetesClient client,
      String namespace,
      String app,
      RunFixture db,
      Before before,
      String newVersion,
      String newImage,
      java.util.function.Supplier<CliRunner.Result> status)
      throws SQLException {
    Deployment web = client.apps().deployments().inNamespace(namespace).withName("web").get();
    StatefulSet worker =
        client.apps().statefulSets().inNamespace(namespace).withName("worker").get();
    ConfigMap settings =
        client.configMaps().inNamespace(namespace).withName(app + "-settings").get();
    boolean locked =
        client.configMaps().inNamespace(namespace).withName("pitstop-" + app).get() != null;
    Map<String, String> data = settings.getData() == null ? Map.of() : settings.getData();
    boolean maintenance = "true".equals(data.get("maintenance"));
    boolean maintenanceOff = !data.containsKey("maintenance");
    String image = web.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    boolean replicasAsBefore =
        web.getSpec().getReplicas() == 3 && worker.getSpec().getReplicas() == 2;
    String version = db.version();
    boolean rowsKept = db.originalRows().equals(before.originalRows());
    String facts =
        "version="
            + version
            + " web="
            + image
            + " replicas="
            + web.getSpec().getReplicas()
            + "/"
            + worker.getSpec().getReplicas()
            + " maintenance="
            + data.get("maintenance")
            + " locked="
            + locked
            + " rowsKept="
            + rowsKept;
    if (!rowsKept) {
      return new Verdict(OTHER, facts + " (rows lost or changed)");
    }
    if (!locked && maintenanceOff && replicasAsBefore) {
      if (newVersion.equals(version) && newImage.equals(image)) {
        return new Verdict(MIGRATED, facts);
      }
      if (before.version().equals(version)
          && "shop:1.0".equals(image)
          && before.orders().equals(db.orders())
          && before.schema().equals(db.schema())) {
        return new Verdict(ROLLED_BACK, facts);
      }
    }
    if (locked && maintenance) {
      CliRunner.Result said = status.get();
      if (said.exitCode() == 0 && said.out().contains("next: ")) {
        return new Verdict(STOPPED, facts);
      }
      return new Verdict(OTHER, facts + " (status does not say what to do: " + said + ")");
    }
    return new Verdict(OTHER, facts);
  }
}
