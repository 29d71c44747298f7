package dev.pitstop.step;

import dev.pitstop.core.PitstopException;
import dev.pitstop.core.Progress;
import dev.pitstop.core.StepResult;
import dev.pitstop.kube.WorkloadRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything {@code run} can check before it takes the lock: a typo must never be found after the
 * app went down. The maintenance object exists, the workloads exist, the database answers with
 * these credentials, the migration folders exist and hold migrations, nothing pending would be
 * refused, and a snapshot could be made. It only reads.
 *
 * @param target the maintenance switch, or null when maintenance is already on (a run that starts
 *     after maintenance-on: maintenance-off restores what the record holds)
 * @param named the workloads named with {@code --workload}; with an empty {@code selector}, none to
 *     check (a run that starts after scale-down: scale-up restores what the record holds)
 * @param selector the workloads' label selector, empty for none
 * @param migrate the migration, as a dry run
 * @param locations the Flyway locations given ({@code filesystem:} ones are looked at)
 * @param snapshot the snapshot as a dry run, or null without {@code --snapshot}
 */
public record Preflight(
    MaintenanceTarget target,
    List<WorkloadRef> named,
    Map<String, String> selector,
    MigrateRequest migrate,
    List<String> locations,
    SnapshotRequest snapshot) {

  /**
   * Runs every check; the first problem is thrown as the step that meets it would throw it (bad
   * input is exit 2). Returns one line per check for a dry run to show.
   *
   * @param progress where the database dry runs report (a silent one in a real run)
   */
  public List<String> check(StepContext context, Progress progress) {
    List<String> done = new ArrayList<>();
    if (target != null) {
      target.capture(context.cluster());
      done.add("maintenance: " + target.describe() + " exists");
      for (String concern : target.concerns(context.cluster())) {
        context.progress().warn(concern);
        done.add("warning: " + concern);
      }
    }
    if (!named.isEmpty() || !selector.isEmpty()) {
      List<String> workloads = new ScaleDownStep(context).resolveForCheck(named, selector);
      done.add("workloads: " + String.join(", ", workloads));
    }
    for (String location : locations) {
      requireMigrationFiles(location);
    }
    StepResult migration = new MigrateStep(progress).run(migrate.withDryRun(true), (f, v) -> {});
    done.add("database: " + migration.summary().replaceFirst("^dry run: ", ""));
    if (snapshot != null) {
      StepResult copy = new SnapshotStep(progress).run(snapshot.withDryRun(true), (f, v) -> {});
      done.add("snapshot: " + copy.summary().replaceFirst("^dry run: ", ""));
    }
    return done;
  }

  /** A {@code filesystem:} location must be a folder with at least one SQL file in it. */
  static void requireMigrationFiles(String location) {
    if (!location.startsWith("filesystem:")) {
      return;
    }
    Path folder = Path.of(location.substring("filesystem:".length()));
    if (!Files.isDirectory(folder)) {
      throw PitstopException.usage(
          "--locations "
              + location
              + ": no such folder; give the folder that holds the migrations");
    }
    try (Stream<Path> files = Files.walk(folder)) {
      if (files.noneMatch(f -> f.getFileName().toString().endsWith(".sql"))) {
        throw PitstopException.usage(
            "--locations "
                + location
                + " holds no .sql file: is it the right folder (a ConfigMap or image that was not"
                + " mounted)?");
      }
    } catch (IOException e) {
      throw PitstopException.usage(
          "--locations " + location + " cannot be read: " + e.getMessage());
    }
  }
}
