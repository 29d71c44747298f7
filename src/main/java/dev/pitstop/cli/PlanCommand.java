package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.db.DbConnection;
import dev.pitstop.db.FlywayFactory;
import dev.pitstop.db.FlywayOptions;
import dev.pitstop.db.ReadOnlySessions;
import dev.pitstop.db.SessionSettings;
import dev.pitstop.plan.Emitted;
import dev.pitstop.plan.PlanRequest;
import dev.pitstop.plan.Planner;
import dev.pitstop.step.MaintenanceTarget;
import dev.pitstop.step.StepContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "plan",
    description =
        "Say what a migration run would do: who uses the database, what fights the scale-down, downtime.",
    footer = {
      "%nRead-only: it sends the API server only gets, lists and access reviews (questions, stored"
          + " nowhere), and opens only read-only database sessions. Without --workload and"
          + " --selector it proposes the workloads that use the database. What it cannot find out"
          + " is reported as unknown with the reason; the rest of the plan still comes.",
      "%nExit codes: 0 the plan is runnable, 5 it has blockers (the run would fail or be unsafe),"
          + " 2 bad input, 75 the API server unreachable. Nothing is changed in any case.",
      "%nExample:%n  PITSTOP_DB_PASSWORD=... pitstop plan --app shop -n shop \\",
      "    --jdbc-url jdbc:postgresql://db:5432/shop --db-user shop \\",
      "    --locations filesystem:./migrations --emit argo",
      "%n--emit argo prints the argo submit command, --emit tekton a PipelineRun, --emit config a"
          + " Pitstop config file."
    })
final class PlanCommand extends StepCommand {
  /** The database's facts are worth seconds of waiting, not the whole --timeout. */
  static final Duration DATABASE_BUDGET = Duration.ofSeconds(15);

  @Mixin WorkloadOptions workloads;

  @Mixin MaintenanceOptions maintenance;

  @Mixin DatabaseOptions database;

  @Mixin FlywayMixin flyway;

  @Mixin MaintenanceDatabaseOption maintenanceDatabase;

  @Mixin KeepDownOptions keepDown;

  @Option(
      names = "--read-secrets",
      description =
          "Also read the values of the Secrets the pod templates reference (needs get on"
              + " secrets); without it a Secret counts by its name and keys only. Values are never"
              + " printed, URLs only without their password.")
  boolean readSecrets;

  @Option(
      names = "--emit",
      paramLabel = "FORM",
      description =
          "Print the proposed run instead of the plan (which then goes to stderr): config (a"
              + " Pitstop config file), argo (the argo submit command of the pitstop-migration"
              + " WorkflowTemplate) or tekton (a PipelineRun of the pitstop-migration Pipeline).")
  String emit;

  private Emitted.Form form;
  private WorkloadOptions.Chosen chosen;
  private MaintenanceTarget target;
  private DbConnection db;
  private FlywayOptions flywayOptions;

  @Override
  boolean readOnly() {
    return true;
  }

  @Override
  boolean journalled() {
    return false;
  }

  @Override
  void validate() {
    form = emit == null || emit.isBlank() ? null : Emitted.form(emit);
    chosen = workloads.parse();
    target = maintenance.mode == null ? null : maintenance.target();
    if (database.given()) {
      db =
          database
              .connection(environment())
              .withConnections(ReadOnlySessions.after(environment().connections()));
    }
    if (db == null && !chosen.any()) {
      throw PitstopException.usage(
          "give --jdbc-url (to find the workloads that use the database) or name them with"
              + " --workload kind/name or --selector k=v");
    }
    FlywayOptions options = flyway.toOptions(environment().env());
    boolean migrationsNamed =
        !options.locations().isEmpty()
            || options.configFile() != null
            || environment().env().containsKey("FLYWAY_LOCATIONS")
            || environment().env().containsKey("FLYWAY_CONFIG_FILES");
    flywayOptions = migrationsNamed ? options : null;
    if (db != null && flywayOptions != null) {
      // a migration folder that does not exist is bad input, found before the cluster is asked
      new FlywayFactory(Progress.silent())
          .create(db, SessionSettings.defaults(), flywayOptions, false);
    }
  }

  @Override
  StepResult execute(StepContext context) {
    Map<String, Object> given = new LinkedHashMap<>();
    if (maintenance.mode != null) {
      given.put("mode", maintenance.mode.name().toLowerCase(Locale.ROOT));
      putIfSet(given, "configmap", maintenance.configMap);
      putIfSet(given, "key", maintenance.key);
      if (maintenance.mode == MaintenanceOptions.Mode.CONFIGMAP) {
        putIfSet(given, "value", maintenance.value);
      }
      putIfSet(given, "service", maintenance.service);
      putIfSet(given, "maintenance-selector", maintenance.maintenanceSelector);
      putIfSet(given, "ingress", maintenance.ingress);
      putIfSet(given, "httproute", maintenance.httpRoute);
      putIfSet(given, "maintenance-backend", maintenance.maintenanceBackend);
    }
    putIfSet(given, "db-user", database.user);
    if (!flyway.locations.isEmpty()) {
      given.put("locations", flyway.locations);
    }
    putIfSet(given, "target-version", flyway.targetVersion);
    Duration budget =
        common.timeout.compareTo(DATABASE_BUDGET) < 0 ? common.timeout : DATABASE_BUDGET;
    PlanRequest request =
        new PlanRequest(
            chosen.named(),
            chosen.selector(),
            target,
            db,
            flywayOptions,
            maintenanceDatabase.name,
            budget,
            readSecrets,
            keepDown.validated(),
            given);
    return new Planner(context).plan(request, form, common.output == CommonOptions.Output.TEXT);
  }

  private static void putIfSet(Map<String, Object> given, String option, String value) {
    if (value != null && !value.isBlank()) {
      given.put(option, value);
    }
  }
}
