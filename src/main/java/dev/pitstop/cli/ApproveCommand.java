package dev.pitstop.cli;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import dev.pitstop.operator.model.Migration;
import dev.pitstop.operator.model.MigrationSpec;
import dev.pitstop.operator.model.MigrationStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "approve",
    description =
        "Show a Migration's plan and, with --hash, approve it (spec.approval.approvedPlanHash).",
    footer = {
      "%nWithout --hash it shows the plan and the command that approves it, and changes nothing."
          + " A hash that is not the plan's current one is refused: the plan changed since it was"
          + " shown.",
      "%nExit codes: 0 shown or approved, 2 bad input or a stale hash (nothing changed), 5 the"
          + " plan has blockers (nothing approved), 75 not planned yet or the API unreachable.",
      "%nShow the plan first; then approve exactly the hash it printed:",
      "  pitstop approve shop-2-4 -n shop --hash 3f9a0c1b7d2e",
      "%nExample:%n  pitstop approve shop-2-4 -n shop"
    })
final class ApproveCommand implements Callable<Integer> {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "MIGRATION", description = "The Migration's name.")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description = "The Migration's namespace. Default: the client's.")
  String namespace;

  @Option(
      names = "--hash",
      paramLabel = "HASH",
      description = "The plan hash to approve, as shown (status.plan.hash).")
  String hash;

  @Mixin KubeconfigOptions cluster;

  private CliEnvironment environment;

  void setEnvironment(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    if (hash != null && !hash.matches("[0-9a-f]{12}")) {
      throw PitstopException.usage(
          "--hash '" + hash + "' is not a plan hash (12 hex digits, as status.plan.hash shows)");
    }
    try (KubernetesClient configured =
            environment.kubernetes().apply(cluster.access(Duration.ofSeconds(30)));
        KubernetesClient client =
            new KubernetesClientBuilder().withConfig(configured.getConfiguration()).build()) {
      String ns = namespace != null ? namespace : client.getNamespace();
      ns = ns == null || ns.isBlank() ? "default" : ns;
      return approve(client, ns);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw PitstopException.transientFailure(
            "migration/" + name + " changed while it was being approved: run approve again", e);
      }
      // an unreachable API, a missing CRD, no right to read Migrations: named in one line
      throw dev.pitstop.kube.KubeErrors.classify(e);
    }
  }

  private int approve(KubernetesClient client, String ns) {
    Migration migration = client.resources(Migration.class).inNamespace(ns).withName(name).get();
    if (migration == null) {
      throw PitstopException.usage("migration/" + name + " not found in namespace " + ns);
    }
    MigrationSpec.Approval approval = migration.getSpec().approval;
    if (approval == null || !"manual".equals(approval.mode)) {
      throw PitstopException.usage(
          "migration/"
              + name
              + " approves itself (spec.approval.mode is auto): there is nothing to approve");
    }
    MigrationStatus status = migration.getStatus();
    if (status == null || status.plan == null) {
      throw PitstopException.transientFailure(
          "migration/"
              + name
              + " has no plan yet (phase "
              + (status == null || status.phase == null ? "Pending" : status.phase)
              + "): try again once `kubectl get psm "
              + name
              + " -n "
              + ns
              + "` shows Planned",
          null);
    }
    PrintWriter out = environment.out();
    show(out, ns, status);
    if (status.approvedPlanHash != null) {
      out.println("already approved (plan " + status.approvedPlanHash + "): phase " + status.phase);
      out.flush();
      return ExitCode.OK;
    }
    if (!Boolean.TRUE.equals(status.plan.runnable)) {
      throw new PitstopException(
          ExitCode.PLAN_BLOCKED,
          "the plan has blockers: nothing approved; fix them, then edit the spec to plan again");
    }
    if (hash == null) {
      out.println(
          "to run this plan: pitstop approve "
              + name
              + " -n "
              + ns
              + " --hash "
              + status.plan.hash);
      out.flush();
      return ExitCode.OK;
    }
    if (!hash.equals(status.plan.hash)) {
      throw PitstopException.usage(
          "plan "
              + hash
              + " is not migration/"
              + name
              + "'s plan any more: it is now "
              + status.plan.hash
              + " (shown above); nothing approved");
    }
    approval.approvedPlanHash = hash;
    // the resourceVersion read: a spec changed meanwhile (a new plan) makes this fail, not pass
    client.resource(migration).update();
    out.println(
        "approved plan "
            + hash
            + " of migration/"
            + name
            + ": the operator starts the run (or waits for its window or the app's lock)");
    out.flush();
    return ExitCode.OK;
  }

  private void show(PrintWriter out, String ns, MigrationStatus status) {
    MigrationStatus.Plan plan = status.plan;
    out.println("migration/" + name + " in namespace " + ns + ": plan " + plan.hash);
    out.println("  " + (plan.summary == null ? "" : plan.summary));
    line(out, "workloads stopped", plan.workloads);
    line(out, "pending migrations", plan.pending);
    out.println("  downtime (estimate): " + (plan.downtime == null ? "unknown" : plan.downtime));
    line(out, "blockers", plan.blockers);
    line(out, "warnings", plan.warnings);
  }

  private static void line(PrintWriter out, String what, List<String> values) {
    if (values == null || values.isEmpty()) {
      out.println("  " + what + ": none");
      return;
    }
    out.println("  " + what + ":");
    values.forEach(v -> out.println("    - " + v));
  }
}
