package dev.pitstop.plan;

import dev.pitstop.core.StepResult;
import dev.pitstop.db.DatabaseFacts;
import dev.pitstop.db.SessionInfo;
import dev.pitstop.kube.AccessReviews;
import dev.pitstop.kube.AccessReviews.Answer;
import dev.pitstop.kube.ObjectFields;
import dev.pitstop.kube.Survey;
import dev.pitstop.kube.Survey.Listing;
import dev.pitstop.kube.WorkloadRef;
import dev.pitstop.ledger.Ledger;
import dev.pitstop.plan.Consumer.Certainty;
import dev.pitstop.plan.PodOwner.Handling;
import dev.pitstop.plan.PodOwner.Kind;
import dev.pitstop.step.KeepDown;
import dev.pitstop.step.StepContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pitstop plan}: looks at the namespace and the database and says what a migration run would
 * do, what would stand in its way, and how long the app would be down. It only reads: every request
 * to the API server is a get, a list or an access review (a question, stored nowhere), and every
 * database session is read-only. Whatever it cannot find out is reported with the reason, and the
 * rest of the plan still comes.
 */
public final class Planner {
  /** Options of the maintenance modes, as given to the plan; they pass into the proposal. */
  static final List<String> MODE_OPTIONS =
      List.of(
          "mode",
          "configmap",
          "key",
          "value",
          "service",
          "maintenance-selector",
          "ingress",
          "httproute",
          "maintenance-backend");

  /** A database below this size is copied in seconds, so a snapshot is proposed anyway. */
  static final long SMALL_DATABASE_BYTES = 10L << 30;

  private final StepContext context;

  public Planner(StepContext context) {
    this.context = context;
  }

  /**
   * Makes the plan.
   *
   * @param emit the form to print instead of the plan's text, or null
   * @param textOutput whether the result is printed as text (else as JSON)
   * @return the plan; its exit code is 0 when runnable, {@code ExitCode.PLAN_BLOCKED} otherwise
   */
  public StepResult plan(PlanRequest request, Emitted.Form emit, boolean textOutput) {
    PlanReport report = plan(request);
    String emitted =
        emit == null
            ? null
            : Emitted.render(emit, report.proposal, context.cluster().namespace()).stripTrailing();
    if (emitted != null && textOutput) {
      // stdout holds only what was asked for, so it can be redirected into a file
      context.progress().info(report.text());
    }
    String summary = !textOutput ? report.verdict() : emitted != null ? emitted : report.text();
    StepResult result = report.toResult(summary);
    if (emitted == null) {
      return result;
    }
    StepResult.Builder withEmitted = StepResult.builder(summary).exitCode(result.exitCode());
    result.fields().forEach(withEmitted::field);
    withEmitted.field(
        "emitted", Map.of("form", emit.name().toLowerCase(Locale.ROOT), "text", emitted));
    return withEmitted.build();
  }

  PlanReport plan(PlanRequest request) {
    Survey survey = new Survey(context.cluster());
    String namespace = context.cluster().namespace();
    PlanReport report = new PlanReport(context.app(), namespace);
    if (request.db() != null) {
      // bad migration folders or Flyway settings are bad input, before anything is read
      DatabaseSide.historyTable(request.db(), request.flyway(), context.progress());
      report.database = request.db().describe();
    }
    lockState(report);

    // the lists do not depend on each other: they go out together
    List<Listing> listings =
        context
            .cluster()
            .forEachConcurrently(
                List.of(
                    Survey.DEPLOYMENTS,
                    Survey.STATEFULSETS,
                    Survey.CRONJOBS,
                    Survey.JOBS,
                    Survey.DAEMONSETS,
                    Survey.ROLLOUTS,
                    Survey.SCALED_JOBS,
                    Survey.PODS,
                    Survey.SERVICES),
                survey::list);
    for (Listing listing : listings) {
      if (!listing.read()) {
        report.unknown(listing.what().replaceFirst(" in namespace .*$", ""), listing.reason());
      }
    }
    Listing deployments = listings.get(0);
    Listing statefulSets = listings.get(1);
    Listing cronJobs = listings.get(2);
    Listing jobs = listings.get(3);
    Listing daemonSets = listings.get(4);
    Listing rollouts = listings.get(5);
    Listing scaledJobs = listings.get(6);
    Listing pods = listings.get(7);
    Listing services = listings.get(8);

    List<PodOwner> owners = new ArrayList<>();
    deployments.items().stream()
        .filter(d -> !FrontDoor.isPage(d))
        .forEach(d -> owners.add(new PodOwner(Kind.DEPLOYMENT, d)));
    statefulSets.items().forEach(s -> owners.add(new PodOwner(Kind.STATEFULSET, s)));
    cronJobs.items().forEach(c -> owners.add(new PodOwner(Kind.CRONJOB, c)));
    jobs.items().stream()
        .filter(j -> ownerKind(j).isEmpty() && !dev.pitstop.kube.CronJobs.finished(j))
        .forEach(j -> owners.add(new PodOwner(Kind.JOB, j)));
    daemonSets.items().forEach(d -> owners.add(new PodOwner(Kind.DAEMONSET, d)));
    rollouts.items().forEach(r -> owners.add(new PodOwner(Kind.ROLLOUT, r)));
    scaledJobs.items().forEach(s -> owners.add(new PodOwner(Kind.SCALEDJOB, s)));
    Map<String, PodOwner> byKey = new LinkedHashMap<>();
    owners.forEach(o -> byKey.put(o.key(), o));

    Map<String, DatabaseTarget.ServiceInfo> serviceInfo = new LinkedHashMap<>();
    services
        .items()
        .forEach(s -> serviceInfo.put(s.getMetadata().getName(), DatabaseTarget.ServiceInfo.of(s)));
    DatabaseTarget target =
        request.db() == null
            ? null
            : new DatabaseTarget(request.db().url(), namespace, serviceInfo);
    ConfigSources sources = new ConfigSources(survey, request.readSecrets(), report::unknown);
    if (!request.readSecrets()) {
      report.note(ConfigSources.SECRETS_NOT_READ);
    }
    Map<String, Consumer.Builder> found = new LinkedHashMap<>();
    new ConsumerScan(target, sources).scan(owners, found);

    DatabaseSide.Read database = null;
    if (request.db() != null) {
      database =
          new DatabaseSide(context.progress())
              .read(
                  request.db(),
                  request.flyway(),
                  request.maintenanceDatabase(),
                  request.databaseBudget());
      database.errors().forEach(e -> report.unknown("database " + request.db().describe(), e));
      if (database.sessions() != null) {
        sessions(
            database.sessions(), new PodIndex(pods.items(), jobs.items()), byKey, found, report);
      }
    } else {
      report.unknown(
          "database",
          "no --jdbc-url: the database's users, migrations, size and sessions are not looked at");
    }
    found.values().stream()
        .map(Consumer.Builder::build)
        .sorted(
            Comparator.comparing((Consumer c) -> c.certainty().ordinal())
                .thenComparing(c -> c.owner().key()))
        .forEach(report.consumers::add);

    List<PodOwner> stopped = workloads(request, report, byKey);
    cannotStop(report);

    Fighters.Found fighters =
        new Fighters(survey, report, new KeepDown(context))
            .find(stopped, jobs.items(), request.keepDown());
    List<PodOwner> scaled =
        stopped.stream().filter(o -> o.kind().handling() == Handling.SCALED).toList();
    Map<String, Object> givenMode = new LinkedHashMap<>();
    MODE_OPTIONS.forEach(
        option -> {
          if (request.given().containsKey(option)) {
            givenMode.put(option, request.given().get(option));
          }
        });
    FrontDoor.Door door =
        new FrontDoor(survey, report)
            .find(scaled, services, deployments.items(), request.target(), givenMode);
    report.frontDoor.put("services", door.services());
    report.frontDoor.put("ingresses", door.ingresses());
    report.frontDoor.put("httproutes", door.routes());
    report.frontDoor.put("mode", door.mode());
    report.frontDoor.put("options", door.options());
    report.frontDoor.put("maintenance-page", door.page());

    propose(request, report, stopped, door, fighters);
    boolean snapshot = databaseDecisions(request, report, database);
    rights(request, report, stopped, door, fighters);
    report.downtime =
        Downtime.estimate(
            new Downtime.Inputs(
                scaled,
                snapshot,
                database == null || database.facts() == null ? null : database.facts().sizeBytes(),
                database == null ? null : DatabaseSide.pending(database, request.flyway() != null),
                database == null || database.facts() == null ? null : database.facts().history(),
                report.proposal.has("url")
                    ? Proposal.values(report.proposal.get("url")).size()
                    : 0));
    changes(request, report, stopped, door, database, snapshot);
    return report;
  }

  private void lockState(PlanReport report) {
    Optional<Ledger> ledger = context.ledger().read();
    ledger.ifPresent(
        l ->
            report.block(
                "app "
                    + context.app()
                    + " is locked by run "
                    + l.runId()
                    + " (holder "
                    + l.holder()
                    + ") since "
                    + l.lockedAt()
                    + ": a run now would exit 3; `pitstop status --app "
                    + context.app()
                    + " -n "
                    + context.cluster().namespace()
                    + "` says how to finish it"));
  }

  /** The kind of the controller that owns a Job (a CronJob's, a ScaledJob's), if any. */
  private static Optional<String> ownerKind(GenericKubernetesResource job) {
    List<OwnerReference> owners = job.getMetadata().getOwnerReferences();
    return owners == null || owners.isEmpty()
        ? Optional.empty()
        : Optional.of(owners.get(0).getKind());
  }

  /**
   * Live sessions traced to pods: the strongest evidence, and the only one for what says nothing.
   */
  private void sessions(
      List<SessionInfo> sessions,
      PodIndex pods,
      Map<String, PodOwner> byKey,
      Map<String, Consumer.Builder> found,
      PlanReport report) {
    int hidden = 0;
    for (SessionInfo session : sessions) {
      if (dev.pitstop.db.DbConnection.APPLICATION_NAME.equals(session.applicationName())) {
        continue;
      }
      if (session.clientAddress() == null) {
        hidden++;
        continue;
      }
      Optional<PodIndex.PodAt> pod = pods.byIp(session.clientAddress());
      String line =
          "connected now: session pid "
              + session.pid()
              + " from "
              + session.clientAddress()
              + pod.map(p -> " (pod " + p.pod() + ")").orElse("")
              + ", user "
              + session.user()
              + (session.applicationName() == null || session.applicationName().isEmpty()
                  ? ""
                  : ", application " + session.applicationName());
      if (pod.isPresent() && byKey.containsKey(pod.get().owner())) {
        found
            .computeIfAbsent(pod.get().owner(), k -> new Consumer.Builder(byKey.get(k)))
            .add(Certainty.CERTAIN, line);
      } else if (pod.isPresent()) {
        report.warn(
            line
                + ", owned by "
                + pod.get().owner()
                + ", which Pitstop does not stop: it stays connected during the run");
      } else {
        report.warn(
            line
                + ": not a pod of namespace "
                + context.cluster().namespace()
                + "; it stays connected during the run, so snapshot and migrate wait for it"
                + " (or pass --terminate-sessions)");
      }
    }
    if (hidden > 0) {
      report.unknown(
          hidden + " other session(s)",
          "their client address is hidden (a role without pg_read_all_stats sees only its own"
              + " sessions' addresses) or they connect through a local socket: which workloads"
              + " they belong to is not known");
    }
  }

  /** The workloads the run stops: as given, or the database's certain and likely users. */
  private List<PodOwner> workloads(
      PlanRequest request, PlanReport report, Map<String, PodOwner> byKey) {
    List<PodOwner> stopped = new ArrayList<>();
    Set<String> users = new LinkedHashSet<>();
    for (Consumer consumer : report.consumers) {
      if (consumer.certainty() != Certainty.POSSIBLE && stoppable(consumer.owner())) {
        users.add(consumer.owner().key());
      }
    }
    if (request.workloadsGiven()) {
      report.workloadSource = "given";
      for (WorkloadRef ref : request.named()) {
        PodOwner owner = byKey.get(ref.toString());
        if (owner == null) {
          report.block(
              ref
                  + " does not exist in namespace "
                  + context.cluster().namespace()
                  + ": scale-down would exit 2");
        } else if (!stopped.contains(owner)) {
          stopped.add(owner);
        }
      }
      if (!request.selector().isEmpty()) {
        for (PodOwner owner : byKey.values()) {
          if (stoppable(owner)
              && Fighters.labels(owner.object())
                  .entrySet()
                  .containsAll(request.selector().entrySet())
              && !stopped.contains(owner)) {
            stopped.add(owner);
          }
        }
      }
      for (String user : users) {
        if (stopped.stream().noneMatch(o -> o.key().equals(user))) {
          report.warn(
              user
                  + " uses the database but is not among the workloads given: it stays up and"
                  + " connected during the migration; add --workload "
                  + user);
        }
      }
      for (PodOwner owner : stopped) {
        if (report.consumers.stream().noneMatch(c -> c.owner().key().equals(owner.key()))) {
          report.note(
              owner.key() + " is stopped as given, though no use of the database was found in it");
        }
      }
      report.proposal.put("app", context.app(), null);
      report.proposal.put("namespace", context.cluster().namespace(), null);
      report.proposal.put(
          "workload", request.named().stream().map(WorkloadRef::toString).toList(), null);
      if (!request.selector().isEmpty()) {
        report.proposal.put("selector", selectorText(request.selector()), null);
      }
    } else {
      for (Consumer consumer : report.consumers) {
        if (users.contains(consumer.owner().key())) {
          stopped.add(consumer.owner());
        } else if (stoppable(consumer.owner())) {
          report.warn(
              consumer.owner().key()
                  + " may use the database ("
                  + consumer.evidence().get(0)
                  + "): check it, and add --workload "
                  + consumer.owner().key()
                  + " if it does");
        }
      }
      stopped.sort(
          Comparator.comparing((PodOwner o) -> o.kind().ordinal()).thenComparing(PodOwner::name));
      if (stopped.isEmpty()) {
        report.block(
            "no Deployment, StatefulSet or CronJob was found to use the database: name the"
                + " workloads to stop with --workload kind/name");
      }
      report.proposal.put("app", context.app(), null);
      report.proposal.put("namespace", context.cluster().namespace(), null);
      report.proposal.put(
          "workload",
          stopped.stream().map(PodOwner::key).toList(),
          "the workloads found to use the database");
    }
    stopped.forEach(o -> report.workloads.add(o.key()));
    return stopped;
  }

  private static boolean stoppable(PodOwner owner) {
    Handling handling = owner.kind().handling();
    return handling == Handling.SCALED || handling == Handling.SUSPENDED;
  }

  private static String selectorText(Map<String, String> selector) {
    List<String> parts = new ArrayList<>();
    selector.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  /** Users of the database that Pitstop cannot stop. */
  private void cannotStop(PlanReport report) {
    for (Consumer consumer : report.consumers) {
      PodOwner owner = consumer.owner();
      boolean sure = consumer.certainty() != Certainty.POSSIBLE;
      switch (owner.kind()) {
        case DAEMONSET -> {
          String line =
              owner.key()
                  + " uses the database and Pitstop cannot scale a DaemonSet: it stays connected"
                  + " while the schema changes; stop it yourself for the run (e.g. a nodeSelector"
                  + " no node matches)";
          if (sure) {
            report.block(line);
          } else {
            report.warn(
                owner.key() + " may use the database; " + line.substring(line.indexOf("Pitstop")));
          }
        }
        case ROLLOUT -> {
          String line =
              owner.key()
                  + " (Argo Rollouts) uses the database and Pitstop cannot scale a Rollout: scale"
                  + " it to 0 yourself for the run (kubectl argo rollouts scale "
                  + owner.name()
                  + " 0)";
          if (sure) {
            report.block(line);
          } else {
            report.warn(line);
          }
        }
        case SCALEDJOB -> {
          Map<String, String> annotations = owner.object().getMetadata().getAnnotations();
          if (annotations != null && "true".equals(annotations.get("autoscaling.keda.sh/paused"))) {
            report.note(
                owner.key() + " uses the database and is paused (autoscaling.keda.sh/paused)");
          } else {
            String line =
                "KEDA "
                    + owner.key()
                    + " starts Jobs that use the database and Pitstop does not pause"
                    + " ScaledJobs: annotate it autoscaling.keda.sh/paused: \"true\" for the run";
            if (sure) {
              report.block(line);
            } else {
              report.warn(line);
            }
          }
        }
        case JOB ->
            report.warn(
                owner.key()
                    + " uses the database and has not finished: Pitstop does not stop Jobs; let it"
                    + " finish before the run");
        default -> {
          // stopped by the run, or proposed
        }
      }
    }
  }

  private void propose(
      PlanRequest request,
      PlanReport report,
      List<PodOwner> stopped,
      FrontDoor.Door door,
      Fighters.Found fighters) {
    Proposal proposal = report.proposal;
    door.options()
        .forEach(
            (option, value) ->
                proposal.put(
                    option,
                    value,
                    request.target() == null && option.equals("mode")
                        ? "users reach the app through "
                            + (door.mode().equals("configmap")
                                ? "no Service of its own"
                                : "the " + door.mode() + " found")
                        : null));
    if (request.db() != null) {
      proposal.put("jdbc-url", request.db().url(), null);
    }
    for (String option : List.of("db-user", "locations", "target-version")) {
      if (request.given().containsKey(option)) {
        proposal.put(option, request.given().get(option), null);
      }
    }
    if (door.smokeUrl() != null) {
      proposal.put("url", door.smokeUrl(), "the app's Service and the path of its readiness probe");
    }
    if (!fighters.argoCd().isEmpty()) {
      proposal.put(
          "pause-argocd",
          true,
          "Argo CD's automated sync would put the replicas back during the run");
      if (!request.keepDown().argoCdNamespace().equals(dev.pitstop.kube.ArgoCd.DEFAULT_NAMESPACE)) {
        proposal.put("argocd-namespace", request.keepDown().argoCdNamespace(), null);
      }
    }
    if (request.keepDown().deleteRunningJobs()) {
      proposal.put("delete-running-jobs", true, null);
    }
    report.consumers.stream()
        .filter(c -> stopped.contains(c.owner()) && c.passwordSecret() != null)
        .findFirst()
        .ifPresent(c -> proposal.password(c.passwordSecret()));
  }

  /** The database's part: facts, pending migrations, and whether to propose a snapshot. */
  private boolean databaseDecisions(
      PlanRequest request, PlanReport report, DatabaseSide.Read read) {
    if (request.db() == null) {
      return false;
    }
    Map<String, Object> fields = report.databaseFields;
    fields.put("url", request.db().url());
    fields.put("database", request.db().database());
    fields.put("reachable", read.facts() != null);
    StepResult status = read.status();
    List<Map<String, Object>> pending = DatabaseSide.pending(read, request.flyway() != null);
    if (request.flyway() == null) {
      report.unknown(
          "pending migrations",
          "no --locations (nor a Flyway config): what the run would migrate is not known");
    }
    fields.put("schema-version", status == null ? null : status.fields().get("schema-version"));
    fields.put("pending", pending);
    Object failed = status == null ? null : status.fields().get("failed");
    fields.put("failed", failed);
    fields.put("snapshots", status == null ? null : status.fields().get("snapshots"));
    DatabaseFacts facts = read.facts();
    fields.put("server-version", read.serverVersion());
    fields.put("size-bytes", facts == null ? null : facts.sizeBytes());
    fields.put("may-create-databases", facts == null ? null : facts.mayCreateDatabases());
    fields.put(
        "sessions",
        read.sessions() == null
            ? null
            : read.sessions().stream().map(SessionInfo::toFields).toList());
    if (facts != null) {
      report.database =
          request.db().describe()
              + " (PostgreSQL "
              + read.serverVersion()
              + ", "
              + Downtime.bytes(facts.sizeBytes())
              + ", schema version "
              + (status == null ? "unknown" : status.fields().get("schema-version"))
              + ")";
    }
    if (failed instanceof List<?> list && !list.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (Object item : list) {
        if (item instanceof Map<?, ?> m) {
          names.add("V" + m.get("version") + " \"" + m.get("description") + "\"");
        }
      }
      report.block(
          "the schema history records failed migration(s) "
              + String.join(", ", names)
              + ": migrate refuses to run on a half-migrated database; restore it or repair it"
              + " first");
    }
    List<String> outside = new ArrayList<>();
    if (pending != null) {
      for (Map<String, Object> m : pending) {
        if (Boolean.FALSE.equals(m.get("transactional"))) {
          outside.add("V" + m.get("version") + " \"" + m.get("description") + "\"");
        }
      }
      if (pending.isEmpty()) {
        report.warn(
            "nothing is pending in the migrations given: the run would take the app down for no"
                + " schema change");
      }
    }
    Proposal proposal = report.proposal;
    boolean snapshot = false;
    if (!outside.isEmpty()) {
      proposal.put(
          "atomic",
          false,
          String.join(", ", outside)
              + " cannot run inside a transaction (e.g. CREATE INDEX CONCURRENTLY), so the"
              + " migrations cannot commit as one");
      if (facts != null && !facts.mayCreateDatabases()) {
        report.warn(
            String.join(", ", outside)
                + " runs outside a transaction and the database user may not create databases,"
                + " so no snapshot can be taken: if it fails half-way, rollback cannot put the"
                + " data back; grant CREATEDB for the run");
      } else {
        snapshot = true;
        proposal.put(
            "snapshot",
            true,
            "a migration outside a transaction can only be undone from a copy of the database");
      }
    } else if (facts != null
        && facts.mayCreateDatabases()
        && facts.sizeBytes() < SMALL_DATABASE_BYTES) {
      snapshot = true;
      proposal.put(
          "snapshot",
          true,
          "the database is "
              + Downtime.bytes(facts.sizeBytes())
              + ": a copy takes seconds and lets rollback put the data back exactly");
    } else if (facts != null && !facts.mayCreateDatabases()) {
      report.note(
          "the database user may not create databases: no snapshot; rollback relies on the"
              + " migrations committing as one (--atomic)");
    } else if (facts != null) {
      report.note(
          "the database is "
              + Downtime.bytes(facts.sizeBytes())
              + ": no snapshot is proposed (it would add minutes to the downtime); pass --snapshot"
              + " to take one anyway");
    }
    if (snapshot
        && status != null
        && status.fields().get("snapshots") instanceof List<?> list
        && !list.isEmpty()) {
      report.note(
          list.size()
              + " earlier Pitstop database(s) of "
              + request.db().database()
              + " exist; snapshot --keep N drops older ones");
    }
    return snapshot;
  }

  private void rights(
      PlanRequest request,
      PlanReport report,
      List<PodOwner> stopped,
      FrontDoor.Door door,
      Fighters.Found fighters) {
    Set<String> kinds = new LinkedHashSet<>();
    stopped.forEach(o -> kinds.add(o.kind().kubernetesName().toLowerCase(Locale.ROOT)));
    List<RunRights.Needed> needed =
        RunRights.of(
            new RunRights.Scope(
                context.cluster().namespace(),
                kinds,
                fighters.holdsHpas(),
                fighters.pausesScaledObjects(),
                door.mode(),
                report.proposal.isTrue("pause-argocd") ? fighters.argoCd() : Set.of(),
                request.keepDown().deleteRunningJobs(),
                !request.selector().isEmpty()));
    List<Answer> answers =
        new AccessReviews(context.cluster())
            .review(needed.stream().map(RunRights.Needed::right).toList());
    for (int i = 0; i < answers.size(); i++) {
      Answer answer = answers.get(i);
      report.rights.add(answer);
      report.rightReasons.put(answer, needed.get(i).why());
      if (answer.decision() == AccessReviews.Decision.UNKNOWN) {
        report.unknown("right to " + answer.right().describe(), answer.reason());
      }
    }
    if (!report.missingRights().isEmpty()) {
      report.block(
          "the identity that ran this plan lacks "
              + report.missingRights().size()
              + " right(s) the run needs (listed under Rights): a run with it would fail; run the"
              + " migration as the pitstop ServiceAccount of the shipped RBAC, or grant them");
    }
  }

  private void changes(
      PlanRequest request,
      PlanReport report,
      List<PodOwner> stopped,
      FrontDoor.Door door,
      DatabaseSide.Read read,
      boolean snapshot) {
    List<PlanReport.Change> changes = report.changes;
    String record = "configmap/pitstop-" + context.app();
    changes.add(
        new PlanReport.Change("lock", "+", "create " + record + " (the run record and lock)"));
    Map<String, Object> mode = door.options();
    String switched =
        switch (door.mode()) {
          case "httproute" ->
              "httproute/"
                  + mode.get("httproute")
                  + ": every backendRef -> "
                  + mode.get("maintenance-backend");
          case "ingress" ->
              "ingress/"
                  + mode.get("ingress")
                  + ": every backend -> "
                  + mode.get("maintenance-backend");
          case "service" ->
              "service/"
                  + mode.get("service")
                  + ": selector -> "
                  + mode.get("maintenance-selector");
          default ->
              "configmap/"
                  + mode.getOrDefault("configmap", "NAME")
                  + " key "
                  + mode.getOrDefault("key", "KEY")
                  + " = "
                  + mode.getOrDefault("value", "true");
        };
    changes.add(new PlanReport.Change("maintenance-on", "~", switched));
    for (PodOwner owner : stopped) {
      if (owner.kind().handling() == Handling.SCALED) {
        Integer replicas = ObjectFields.integer(owner.object(), "spec", "replicas");
        changes.add(
            new PlanReport.Change(
                "scale-down",
                "~",
                owner.key() + " " + (replicas == null ? 1 : replicas) + " -> 0"));
      } else {
        Boolean suspended = dev.pitstop.kube.CronJobs.suspend(owner.object());
        changes.add(
            new PlanReport.Change(
                "scale-down",
                "~",
                Boolean.TRUE.equals(suspended)
                    ? owner.key() + " is suspended already: stays so"
                    : "suspend " + owner.key()));
      }
    }
    if (snapshot) {
      changes.add(
          new PlanReport.Change(
              "snapshot",
              "+",
              "CREATE DATABASE "
                  + request.db().database()
                  + "_pitstop_<run id> TEMPLATE "
                  + request.db().database()
                  + (read != null && read.facts() != null
                      ? " (" + Downtime.bytes(read.facts().sizeBytes()) + ")"
                      : "")));
    }
    List<Map<String, Object>> pending =
        read == null ? null : DatabaseSide.pending(read, request.flyway() != null);
    String migrate;
    if (pending == null) {
      migrate = "pending migrations not known";
    } else if (pending.isEmpty()) {
      migrate = "nothing pending";
    } else {
      List<String> names = new ArrayList<>();
      for (Map<String, Object> m : pending) {
        names.add(
            "V"
                + m.get("version")
                + " \""
                + m.get("description")
                + "\""
                + (Boolean.FALSE.equals(m.get("transactional")) ? " (outside a transaction)" : ""));
      }
      Object last = pending.get(pending.size() - 1).get("version");
      migrate =
          "version "
              + read.status().fields().get("schema-version")
              + " -> "
              + last
              + ": "
              + String.join(", ", names)
              + (report.proposal.has("atomic") ? ", each on its own" : ", in one transaction");
    }
    changes.add(
        new PlanReport.Change(
            "migrate", pending == null || pending.isEmpty() ? " " : "~", migrate));
    for (PodOwner owner : stopped) {
      if (owner.kind().handling() == Handling.SCALED) {
        Integer replicas = ObjectFields.integer(owner.object(), "spec", "replicas");
        changes.add(
            new PlanReport.Change(
                "scale-up", "~", owner.key() + " 0 -> " + (replicas == null ? 1 : replicas)));
      } else if (!Boolean.TRUE.equals(dev.pitstop.kube.CronJobs.suspend(owner.object()))) {
        changes.add(new PlanReport.Change("scale-up", "~", "resume " + owner.key()));
      }
    }
    if (!report.pauses.isEmpty()) {
      changes.add(
          new PlanReport.Change(
              "scale-up", "~", "put back what scale-down paused, as recorded (see Will pause)"));
    }
    changes.add(new PlanReport.Change("maintenance-off", "~", "back exactly as recorded"));
    changes.add(new PlanReport.Change("unlock", "-", "delete " + record));
  }
}
