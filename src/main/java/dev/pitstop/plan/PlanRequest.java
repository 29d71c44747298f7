package dev.pitstop.plan;

import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.step.KeepDown;
import dev.pitstop.step.MaintenanceTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code pitstop plan} is asked.
 *
 * @param named workloads given with {@code --workload}; with {@code selector} empty too, the plan
 *     proposes the workloads that use the database
 * @param selector {@code --selector}, or empty
 * @param target the maintenance mode given, or null for the plan to propose one
 * @param db the database, or null without {@code --jdbc-url}
 * @param flyway the Flyway settings, or null when no migrations were named (pending migrations are
 *     then not known)
 * @param maintenanceDatabase where snapshots are taken from
 * @param databaseBudget how long the database may take to answer before it counts as unreachable
 * @param readSecrets read the values of the Secrets that pod templates reference
 * @param keepDown how scale-down would treat CronJobs' Jobs and Argo CD
 * @param given options given on the command line that the proposed run takes as they are (option
 *     name without dashes to a String, Boolean or List of Strings)
 */
public record PlanRequest(
    List<WorkloadRef> named,
    Map<String, String> selector,
    MaintenanceTarget target,
    DbConnection db,
    FlywayOptions flyway,
    String maintenanceDatabase,
    Duration databaseBudget,
    boolean readSecrets,
    KeepDown.Options keepDown,
    Map<String, Object> given) {

  public PlanRequest {
    named = named == null ? List.of() : List.copyOf(named);
    selector = selector == null ? Map.of() : Map.copyOf(selector);
    given = given == null ? Map.of() : given;
  }

  boolean workloadsGiven() {
    return !named.isEmpty() || !selector.isEmpty();
  }
}
