package dev.pitstop.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/**
 * What to migrate and how: the options of {@code pitstop run}, grouped, plus when it may run and
 * who approves it. Each field names the option it becomes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationSpec {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "The application (--app): names the run record and lock configmap/pitstop-APP.")
  public String app;

  @JsonPropertyDescription(
      "Workloads to stop and start again, as kind/name (--workload), e.g. deployment/web.")
  public List<String> workloads = new ArrayList<>();

  @JsonPropertyDescription("Label selector of the workloads (--selector), e.g. app=shop.")
  public String selector;

  @JsonPropertyDescription("New images set while scaling up, CONTAINER=IMAGE (--image).")
  public List<String> images = new ArrayList<>();

  @JsonPropertyDescription("How users see maintenance (--mode and its options).")
  public Maintenance maintenance;

  @Required
  @JsonPropertyDescription("The database and where its password is.")
  public Database database;

  @Required
  @JsonPropertyDescription("Where the migrations come from.")
  public Migrations migrations;

  @JsonPropertyDescription("Flyway's options (--target-version, --atomic, ...).")
  public Flyway flyway;

  @JsonPropertyDescription(
      "Copy the database before migrating, so rollback puts the data back exactly (--snapshot).")
  public Boolean snapshot;

  @JsonPropertyDescription("Keep this many Pitstop snapshots, dropping older ones (--keep).")
  public Integer keep;

  @JsonPropertyDescription(
      "The previous version works on the new schema: without a snapshot, rollback starts it"
          + " anyway (--backward-compatible).")
  public Boolean backwardCompatible;

  @JsonPropertyDescription("What verify checks besides Flyway's validation.")
  public Verify verify;

  @JsonPropertyDescription("The smoke test, run while maintenance is still on.")
  public Smoke smoke;

  @JsonPropertyDescription("What scale-down does about what would start the app again.")
  public KeepDown keepDown;

  @Pattern("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$")
  @JsonPropertyDescription("Each step's deadline (--timeout), e.g. 10m. Default 10m.")
  public String timeout;

  @JsonPropertyDescription("Retries of a step that fails transiently (--retries). Default 3.")
  public Integer retries;

  @JsonPropertyDescription(
      "After a failed rollback, still switch maintenance off and unlock"
          + " (--release-on-rollback-failure). Default: stay in maintenance, locked.")
  public Boolean releaseOnRollbackFailure;

  @JsonPropertyDescription(
      "The ServiceAccount the plan and run Jobs run as: it needs the rights of the shipped"
          + " pitstop Role (and the plan Role). Default pitstop.")
  public String serviceAccountName;

  @JsonPropertyDescription("The Pitstop image of the Jobs. Default: the operator's own image.")
  public String image;

  @JsonPropertyDescription("Who approves the plan before the run starts.")
  public Approval approval;

  @JsonPropertyDescription(
      "When the run may start: never before notBefore nor after notAfter. A started run is never"
          + " aborted by its window.")
  public Window window;

  /** Maintenance mode and its target. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Maintenance {
    @io.fabric8.generator.annotation.Required
    @JsonPropertyDescription("configmap, service, ingress or httproute (--mode).")
    @Pattern("^(configmap|service|ingress|httproute)$")
    public String mode;

    @JsonPropertyDescription("--configmap (mode configmap).")
    public String configMap;

    @JsonPropertyDescription("--key (mode configmap).")
    public String key;

    @JsonPropertyDescription("--value (mode configmap). Default true.")
    public String value;

    @JsonPropertyDescription("--service (mode service).")
    public String service;

    @JsonPropertyDescription("--maintenance-selector (mode service), e.g. app=maintenance-page.")
    public String maintenanceSelector;

    @JsonPropertyDescription("--ingress (mode ingress).")
    public String ingress;

    @JsonPropertyDescription("--httproute (mode httproute).")
    public String httpRoute;

    @JsonPropertyDescription("--maintenance-backend SERVICE:PORT (modes ingress, httproute).")
    public String maintenanceBackend;
  }

  /** The database; its password only by reference. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Database {
    @Required
    @JsonPropertyDescription("--jdbc-url, without a password.")
    public String jdbcUrl;

    @Required
    @JsonPropertyDescription("--db-user.")
    public String user;

    @Required
    @JsonPropertyDescription(
        "The Secret key holding the password: the Jobs get it as PITSTOP_DB_PASSWORD. The"
            + " operator never reads it.")
    public SecretKey passwordSecretRef;

    @JsonPropertyDescription("--maintenance-database, for snapshots. Default postgres.")
    public String maintenanceDatabase;

    @JsonPropertyDescription("--lock-timeout, e.g. 10s.")
    public String lockTimeout;

    @JsonPropertyDescription("--statement-timeout.")
    public String statementTimeout;

    @JsonPropertyDescription("End other sessions on the database before migrating.")
    public Boolean terminateSessions;

    @JsonPropertyDescription("--sessions-timeout: how long to wait for other sessions to end.")
    public String sessionsTimeout;
  }

  /** A key of a Secret in the Migration's namespace. */
  public static class SecretKey {
    @Required public String name;

    @Required public String key;
  }

  /** One of: a ConfigMap of migration files, an image that holds them, or Flyway locations. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Migrations {
    @JsonPropertyDescription("A ConfigMap whose keys are the migration files.")
    public String configMap;

    @JsonPropertyDescription(
        "An image that holds the migrations (usually the app's own or a migrations image): an"
            + " init container copies them from path.")
    public String image;

    @JsonPropertyDescription("The folder of the migrations in image. Default /migrations.")
    public String path;

    @JsonPropertyDescription(
        "Flyway locations as they are (--locations), e.g. for an image built FROM Pitstop's.")
    public List<String> locations;
  }

  /** Flyway's options. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Flyway {
    @JsonPropertyDescription("--target-version.")
    public String targetVersion;

    @JsonPropertyDescription("--schemas.")
    public String schemas;

    @JsonPropertyDescription("--baseline-on-migrate.")
    public Boolean baselineOnMigrate;

    @JsonPropertyDescription("--out-of-order.")
    public Boolean outOfOrder;

    @JsonPropertyDescription("--placeholder NAME=VALUE.")
    public List<String> placeholders;

    @JsonPropertyDescription(
        "All pending migrations in one transaction (--atomic). Default true; false for e.g."
            + " CREATE INDEX CONCURRENTLY (take a snapshot then).")
    public Boolean atomic;
  }

  /** verify's options. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Verify {
    @JsonPropertyDescription("--expect-version.")
    public String expectVersion;

    @JsonPropertyDescription("--allow-pending.")
    public Boolean allowPending;
  }

  /** smoke-test's options. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Smoke {
    @JsonPropertyDescription("--url, repeatable.")
    public List<String> urls;

    @JsonPropertyDescription("--expect-status.")
    public Integer expectStatus;

    @JsonPropertyDescription("--expect-body.")
    public String expectBody;

    @JsonPropertyDescription("--expect-json /pointer=value: a JSON field the body must have.")
    public String expectJson;

    @JsonPropertyDescription("--interval between checks, e.g. 2s.")
    public String interval;
  }

  /** scale-down's options. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class KeepDown {
    @JsonPropertyDescription("--delete-running-jobs.")
    public Boolean deleteRunningJobs;

    @JsonPropertyDescription("--pause-argocd.")
    public Boolean pauseArgoCd;

    @JsonPropertyDescription("--argocd-namespace.")
    public String argoCdNamespace;
  }

  /** Who approves. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Approval {
    @Pattern("^(auto|manual)$")
    @JsonPropertyDescription(
        "auto: run as soon as the plan has no blockers; manual: wait for approvedPlanHash."
            + " Default auto.")
    public String mode;

    @JsonPropertyDescription(
        "The hash of the plan a human approved (status.plan.hash; `pitstop approve` sets it). A"
            + " hash of another plan is refused.")
    public String approvedPlanHash;
  }

  /** When the run may start. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Window {
    @JsonPropertyDescription("RFC 3339 time before which the run does not start.")
    public String notBefore;

    @JsonPropertyDescription(
        "RFC 3339 time after which the run does not start (a started run goes on).")
    public String notAfter;
  }
}
