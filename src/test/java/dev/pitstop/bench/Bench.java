package dev.pitstop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.demo.DemoCluster;
import dev.pitstop.demo.DemoDatabase;
import dev.pitstop.demo.SampleApp;
import dev.pitstop.image.ImageLayout;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * Pitstop's own overhead, measured: each step as a whole process next to kubectl doing the
 * equivalent call, scale-down fan-out, migrate against the plain Flyway API, and {@code run} end to
 * end. Run with {@code mvn -B -Pbench verify}; it prints a Markdown report and writes it to {@code
 * target/bench/report.md}. It measures and reports; it asserts nothing.
 *
 * <p>{@code -Dbench.only=migrate,run} picks sections. The {@code image} section runs the steps as
 * the image starts them, from its file system unpacked from target/jib-image-check.tar, side by
 * side with another build's image tar ({@code -Dbench.baseline=TAR}) and with an AppCDS archive
 * made by this JVM. The {@code snapshot} section ({@code CREATE DATABASE ... TEMPLATE} against
 * {@code pg_dump | pg_restore} on a database of more than 1 GiB) takes several minutes and about 5
 * GB of disk, so it is not in the default set: run it with {@code mvn -B -Pbench verify
 * -Dbench.only=snapshot} (add it to the list to run it with others).
 */
public final class Bench {
  private static final String NS = "shop";
  private static final int REPEAT = Integer.getInteger("bench.repeat", 7);

  /**
   * {@code -Dbench.only=processes,image,reaction,fanout,migrate,run,window} runs only those
   * sections.
   */
  private static final List<String> ONLY =
      List.of(System.getProperty("bench.only", "").split(",")).stream()
          .map(String::strip)
          .filter(name -> !name.isEmpty())
          .toList();

  /** The JVM flags of the image's entrypoint, from the argfile the image carries. */
  public static final List<String> IMAGE_JVM_FLAGS = dev.pitstop.testing.ImageEntrypoint.jvmFlags();

  /**
   * The sample app's first migration as a folder: the image's class path (which the start-up rows
   * run) holds no migrations of its own.
   */
  private static final String MIGRATION =
      "filesystem:" + Path.of("target", "test-classes", "pitstop", "demo", "v1").toAbsolutePath();

  private final StringBuilder report = new StringBuilder();
  private final Path work;

  private Bench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    Path work = Files.createDirectories(Path.of("target", "bench"));
    Bench bench = new Bench(work);
    bench.line("# Pitstop benchmark");
    bench.line("");
    bench.line(
        "Machine: "
            + Runtime.getRuntime().availableProcessors()
            + " CPUs, Java "
            + System.getProperty("java.version")
            + ", "
            + System.getProperty("os.name")
            + "; medians of "
            + REPEAT
            + " runs.");
    try (DemoCluster cluster = DemoCluster.start(NS);
        DemoDatabase database = DemoDatabase.start("shop")) {
      if (selected("processes")) {
        bench.processes(cluster, database);
      }
      if (selected("image")) {
        bench.image(cluster, database);
      }
      if (selected("reaction")) {
        bench.reaction(cluster);
      }
      if (selected("fanout")) {
        bench.fanOut(cluster, 0);
        bench.fanOut(cluster, API_LATENCY_MILLIS);
      }
      if (selected("migrate")) {
        bench.migrationOverhead(database);
      }
      if (selected("run")) {
        bench.endToEnd(cluster, database);
      }
      if (selected("window")) {
        bench.window(cluster, database);
      }
      if (ONLY.contains("snapshot")) {
        bench.snapshot(database);
      }
    }
    Files.writeString(work.resolve("report.md"), bench.report.toString());
    System.out.println();
    System.out.println("report written to " + work.resolve("report.md"));
  }

  private static boolean selected(String section) {
    return ONLY.isEmpty() || ONLY.contains(section);
  }

  private void line(String text) {
    report.append(text).append('\n');
    System.out.println(text);
  }

  /**
   * 1. Each step as a whole process (JVM start to exit), next to kubectl; then the same steps with
   * an AppCDS archive that this JVM makes in a training run.
   */
  private void processes(DemoCluster cluster, DemoDatabase database) throws Exception {
    Map<String, String> kubeconfig = Map.of("KUBECONFIG", kubeconfig(cluster).toString());
    Map<String, String> pod = new java.util.HashMap<>(podClientEnvironment(cluster));
    pod.put("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD);
    List<String> db =
        List.of(
            "--jdbc-url",
            database.jdbcUrl("shop"),
            "--db-user",
            DemoDatabase.USER,
            "--locations",
            MIGRATION);
    String smokeUrl =
        cluster.client().getConfiguration().getMasterUrl().replaceAll("/$", "")
            + "/api/v1/namespaces/"
            + NS
            + "/configmaps/shop-settings";
    Path jar = Path.of("target", "pitstop.jar").toAbsolutePath();
    // a workload that is already at 0: scale-down records it and has no pod to wait for; its own
    // label lets a scale-down by selector (which also lists CronJobs) find it alone
    io.fabric8.kubernetes.api.model.apps.Deployment idle =
        SampleApp.deployment("idle", 0, "shop:1.0");
    idle.getMetadata().getLabels().put("bench", "idle");
    cluster.client().apps().deployments().inNamespace(NS).resource(idle).create();
    List<String> java = new ArrayList<>(List.of(javaBinary()));
    java.addAll(IMAGE_JVM_FLAGS);
    line("");
    line("## Step start-up: whole process, against the in-memory API server");
    line("");
    line("JVM flags as in the image: `" + String.join(" ", IMAGE_JVM_FLAGS) + "`.");
    line("The steps find the server as in a pod (address, token and namespace given directly, no");
    line("kubeconfig file to parse), except the row that says kubeconfig.");
    line("");
    line("| command | median wall | median peak RSS |");
    line("|---|---|---|");
    List<String> pitstop = concat(java, "-jar", jar.toString());
    steps(pitstop, "", pod, db, smokeUrl);
    // the image runs the same code from its classes folder and one jar per dependency
    Path runtime = work.resolve("runtime-classpath.txt");
    if (Files.isRegularFile(runtime)) {
      String jars = Files.readString(runtime).strip();
      String classPath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + jars;
      int count = jars.split(File.pathSeparator).length;
      steps(
          concat(java, "-cp", classPath, "dev.pitstop.cli.Main"),
          " (as in the image: classes folder and " + count + " jars)",
          pod,
          db,
          smokeUrl);
    }
    measure(
        "pitstop status, with a kubeconfig file",
        concat(pitstop, concat(List.of("status"), STEP_IDS)),
        kubeconfig);
    // the in-memory server serves no discovery documents, so kubectl goes by raw API paths
    measure(
        "kubectl get --raw (the read of status)",
        List.of(
            "kubectl", "get", "--raw", "/api/v1/namespaces/" + NS + "/configmaps/shop-settings"),
        kubeconfig);
    measure(
        "kubectl get --raw (the read of scale-down)",
        List.of("kubectl", "get", "--raw", "/apis/apps/v1/namespaces/" + NS + "/deployments/idle"),
        kubeconfig);

    // AppCDS: a dynamic archive only works with the JVM build that made it, so this one is made
    // here, by a training run of `status`, and says nothing exact about the image's JVM
    Path archive = work.resolve("pitstop-local.jsa").toAbsolutePath();
    Files.deleteIfExists(archive);
    List<String> cds = new ArrayList<>(java);
    cds.add("-Xlog:cds=off,cds+dynamic=off");
    List<String> training = new ArrayList<>(cds);
    training.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString()));
    run(concat(training, "status", "--app", "shop", "-n", NS), pod);
    if (!Files.isRegularFile(archive)) {
      line("| AppCDS | no archive was made | |");
      return;
    }
    cds.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-jar", jar.toString()));
    steps(cds, " (AppCDS, archive made by this JVM)", pod, db, smokeUrl);
  }

  /**
   * 1b. The image's own layout: its file system unpacked from target/jib-image-check.tar and each
   * step started as its entrypoint starts it (JVM flags, class path, main class), with this JVM.
   * Side by side, each step taking turns: the image tar named by {@code -Dbench.baseline=TAR}
   * (another build's), and this image's class path with an AppCDS archive made here.
   */
  private void image(DemoCluster cluster, DemoDatabase database) throws Exception {
    Path tar = Path.of("target", "jib-image-check.tar");
    line("");
    line("## Step start-up as in the image, side by side");
    line("");
    if (!Files.isRegularFile(tar)) {
      line("No target/jib-image-check.tar: build it with `mvn package`.");
      return;
    }
    List<Variant> variants = new ArrayList<>();
    List<ImageLayout> layouts = new ArrayList<>();
    String baseline = System.getProperty("bench.baseline", "");
    if (!baseline.isEmpty()) {
      layouts.add(ImageLayout.unpack(Path.of(baseline), work.resolve("image-baseline")));
    }
    ImageLayout current = ImageLayout.unpack(tar, work.resolve("image"));
    layouts.add(current);
    line("| image | tar | jars in /app/libs | /app |");
    line("|---|---|---|---|");
    for (ImageLayout layout : layouts) {
      String name = layout == current ? "this build" : "baseline";
      line(
          String.format(
              Locale.ROOT,
              "| %s | %.1f MB | %d | %.1f MB |",
              layout == current ? name : name + " (" + baseline + ")",
              layout.tarBytes() / 1e6,
              layout.jars().size(),
              folderBytes(layout.path("/app")) / 1e6));
      variants.add(new Variant(name, layout.command(javaBinary())));
    }
    Map<String, String> pod = new java.util.HashMap<>(podClientEnvironment(cluster));
    pod.put("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD);
    List<String> db =
        List.of(
            "--jdbc-url",
            database.jdbcUrl("shop"),
            "--db-user",
            DemoDatabase.USER,
            "--locations",
            MIGRATION);
    String smokeUrl =
        cluster.client().getConfiguration().getMasterUrl().replaceAll("/$", "")
            + "/api/v1/namespaces/"
            + NS
            + "/configmaps/shop-settings";
    if (cluster.client().apps().deployments().inNamespace(NS).withName("idle").get() == null) {
      io.fabric8.kubernetes.api.model.apps.Deployment idle =
          SampleApp.deployment("idle", 0, "shop:1.0");
      idle.getMetadata().getLabels().put("bench", "idle");
      cluster.client().apps().deployments().inNamespace(NS).resource(idle).create();
    }
    Variant cds = appCds(current, pod, db, smokeUrl);
    if (cds != null) {
      variants.add(cds);
    }
    line("");
    StringBuilder header = new StringBuilder("| command |");
    StringBuilder rule = new StringBuilder("|---|");
    for (Variant variant : variants) {
      header.append(' ').append(variant.label()).append(" |");
      rule.append("---|");
    }
    line(header.toString());
    line(rule.toString());
    sideBySide(variants, "", pod, db, smokeUrl);
  }

  /**
   * The image's class path with an AppCDS archive, as far as this JVM can make one: Java 17 dumps
   * no class path that holds a non-empty folder, so the image's classes and resources folders are
   * replaced by the project's jar (what Jib's {@code packaged} mode puts in the image); every step
   * is run once to list the classes it loads, and one static archive is dumped from all the lists.
   * Only a JVM of the same build, with the same class path, accepts it: this says what the image
   * would gain, not that its JVM would take this archive.
   */
  private Variant appCds(
      ImageLayout image, Map<String, String> env, List<String> db, String smokeUrl)
      throws Exception {
    String version =
        image.config().get("config").get("Labels").get("org.opencontainers.image.version").asText();
    Path projectJar = Path.of("target", "pitstop-" + version + ".jar").toAbsolutePath();
    if (!Files.isRegularFile(projectJar)) {
      line("No " + projectJar + ": no AppCDS column.");
      return null;
    }
    List<String> classPath = new ArrayList<>(List.of(projectJar.toString()));
    for (String entry : image.classPath().split(File.pathSeparator)) {
      if (entry.endsWith(".jar")) {
        classPath.add(entry);
      }
    }
    List<String> entrypoint = image.entrypoint();
    List<String> flags = image.jvmFlags();
    String mainClass = entrypoint.get(entrypoint.size() - 1);
    Path folder = Files.createDirectories(work.resolve("cds"));
    List<String> classes = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    int i = 0;
    for (StepRun step : stepRuns(db, smokeUrl)) {
      Path list = folder.resolve("step-" + i++ + ".classlist");
      Files.deleteIfExists(list);
      List<String> training = new ArrayList<>(List.of(javaBinary()));
      training.addAll(flags);
      training.add("-XX:DumpLoadedClassList=" + list);
      training.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), mainClass));
      List<String> plain =
          concat(
              concat(
                  concat(List.of(javaBinary()), flags),
                  "-cp",
                  String.join(File.pathSeparator, classPath)),
              mainClass);
      if (step.before() != null) {
        run(concat(plain, step.before()), env);
      }
      run(concat(training, step.args()), env);
      if (step.after() != null) {
        run(concat(plain, step.after()), env);
      }
      if (Files.isRegularFile(list)) {
        for (String line : Files.readAllLines(list)) {
          if (!line.startsWith("#") && seen.add(line)) {
            classes.add(line);
          }
        }
      }
    }
    Path classList = folder.resolve("steps.classlist");
    Files.write(classList, classes);
    Path archive = folder.resolve("pitstop-steps.jsa").toAbsolutePath();
    Files.deleteIfExists(archive);
    List<String> dump = new ArrayList<>(List.of(javaBinary()));
    dump.addAll(flags);
    dump.addAll(
        List.of(
            "-Xshare:dump",
            "-Xlog:cds=off",
            "-XX:SharedClassListFile=" + classList,
            "-XX:SharedArchiveFile=" + archive,
            "-cp",
            String.join(File.pathSeparator, classPath)));
    run(dump, env);
    if (!Files.isRegularFile(archive)) {
      line("AppCDS: no archive was made (`" + String.join(" ", dump) + "`).");
      return null;
    }
    line("");
    line(
        String.format(
            Locale.ROOT,
            "AppCDS column: the image's jars with the project jar for its classes folders, and a"
                + " static archive of %d classes listed by one run of each step (%.1f MB), made by"
                + " this JVM; `-Xshare:on`, so a rejected archive fails the row.",
            classes.size(),
            Files.size(archive) / 1e6));
    List<String> command = new ArrayList<>(List.of(javaBinary()));
    command.addAll(flags);
    command.addAll(
        List.of(
            "-Xshare:on",
            "-XX:SharedArchiveFile=" + archive,
            "-cp",
            String.join(File.pathSeparator, classPath),
            mainClass));
    return new Variant("this build, AppCDS", command);
  }

  private static long folderBytes(Path folder) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /**
   * How a step in a pod finds the API server, without the ServiceAccount's files: fabric8 reads the
   * address, token and namespace from the environment and parses no kubeconfig.
   */
  private static Map<String, String> podClientEnvironment(DemoCluster cluster) {
    return Map.of(
        "KUBERNETES_MASTER",
        cluster.client().getConfiguration().getMasterUrl(),
        "KUBERNETES_AUTH_TOKEN",
        "bench",
        "KUBERNETES_NAMESPACE",
        NS,
        "KUBERNETES_AUTH_TRYKUBECONFIG",
        "false",
        "KUBERNETES_AUTH_TRYSERVICEACCOUNT",
        "false",
        "KUBECONFIG",
        "/nonexistent");
  }

  /**
   * The app, namespace and deadline of every step the start-up rows run: a server that stops
   * answering fails a row within 30 s instead of holding it for the default timeout.
   */
  private static final List<String> STEP_IDS =
      List.of("--app", "shop", "-n", NS, "--timeout", "30s");

  /**
   * Every step that is quick on its own, each as one process: --version, status, lock, unlock,
   * scale-down of a workload at 0 (named, and by selector) and scale-up, maintenance-on and -off
   * (configmap mode), migrate and verify of a database that is up to date, and smoke-test of one
   * URL. Snapshot, restore and rollback copy or drop databases: their time is PostgreSQL's.
   */
  private void steps(
      List<String> pitstop, String label, Map<String, String> env, List<String> db, String smokeUrl)
      throws Exception {
    sideBySide(List.of(new Variant(label, pitstop)), label, env, db, smokeUrl);
  }

  /** One way of starting pitstop: a column of the table, and the command before the step's. */
  private record Variant(String label, List<String> command) {}

  /**
   * One step of the start-up rows: its arguments, and the arguments of the unmeasured steps run
   * before and after each measured run (to make its starting point and undo it). A step without a
   * name is only run, once, to set up the ones after it.
   */
  private record StepRun(String name, List<String> args, List<String> before, List<String> after) {}

  private static List<StepRun> stepRuns(List<String> db, String smokeUrl) {
    List<String> run = concat(STEP_IDS, "--run-id", "bench");
    List<String> lock = concat(List.of("lock"), run);
    List<String> unlock = concat(List.of("unlock"), run);
    List<String> scaleDown =
        concat(List.of("scale-down"), concat(run, "--workload", "deployment/idle"));
    List<String> scaleUp = concat(List.of("scale-up"), run);
    List<String> on =
        concat(
            List.of("maintenance-on"),
            concat(
                run,
                List.of(
                    "--mode",
                    "configmap",
                    "--configmap",
                    "shop-settings",
                    "--key",
                    "maintenance")));
    List<String> off = concat(List.of("maintenance-off"), run);
    List<String> migrate = concat(List.of("migrate"), concat(run, db));
    return List.of(
        new StepRun("pitstop --version", List.of("--version"), null, null),
        new StepRun("pitstop status", concat(List.of("status"), STEP_IDS), null, null),
        new StepRun("pitstop lock", lock, null, unlock),
        new StepRun("pitstop unlock", unlock, lock, null),
        new StepRun(null, lock, null, null),
        new StepRun("pitstop scale-down of one workload at 0", scaleDown, null, scaleUp),
        new StepRun(
            "pitstop scale-down --selector bench=idle",
            concat(List.of("scale-down"), concat(run, "--selector", "bench=idle")),
            null,
            scaleUp),
        new StepRun("pitstop scale-up of one workload at 0", scaleUp, scaleDown, null),
        new StepRun("pitstop maintenance-on (configmap)", on, null, off),
        new StepRun("pitstop maintenance-off (configmap)", off, on, null),
        new StepRun(null, migrate, null, null), // the database is up to date from here on
        new StepRun("pitstop migrate, nothing pending", migrate, null, null),
        new StepRun(
            "pitstop verify, nothing pending",
            concat(List.of("verify"), concat(STEP_IDS, db)),
            null,
            null),
        new StepRun(
            "pitstop smoke-test of one URL",
            concat(List.of("smoke-test"), concat(STEP_IDS, "--url", smokeUrl)),
            null,
            null),
        new StepRun(null, unlock, null, null));
  }

  /**
   * The steps of {@link #stepRuns}, each run by every variant in turn, REPEAT times, and reported
   * on one row with a column per variant.
   */
  private void sideBySide(
      List<Variant> variants,
      String label,
      Map<String, String> env,
      List<String> db,
      String smokeUrl)
      throws Exception {
    List<String> pitstop = variants.get(0).command();
    for (StepRun step : stepRuns(db, smokeUrl)) {
      if (step.name() == null) {
        run(concat(pitstop, step.args()), env);
        continue;
      }
      measureSideBySide(
          step.name() + label,
          variants.stream().map(v -> concat(v.command(), step.args())).toList(),
          env,
          step.before() == null ? null : concat(pitstop, step.before()),
          step.after() == null ? null : concat(pitstop, step.after()));
    }
  }

  /** Runs a command that is not measured; its failure would make the next rows fail anyway. */
  private static void run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    builder.start().waitFor();
  }

  private void measure(String name, List<String> command, Map<String, String> env)
      throws Exception {
    measure(name, command, env, null, null);
  }

  private void measure(
      String name,
      List<String> command,
      Map<String, String> env,
      List<String> before,
      List<String> after)
      throws Exception {
    measureSideBySide(name, List.of(command), env, before, after);
  }

  /**
   * Runs each command REPEAT times, with an optional unmeasured command before and after each run
   * (to make it and undo it), and reports medians, one column per command. The commands take turns
   * and the one that goes first rotates, so a machine that slows down or speeds up during the row
   * weighs on each alike.
   */
  private void measureSideBySide(
      String name,
      List<List<String>> commands,
      Map<String, String> env,
      List<String> before,
      List<String> after)
      throws Exception {
    int n = commands.size();
    List<List<Long>> millis = new ArrayList<>();
    List<List<Long>> rssKb = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      millis.add(new ArrayList<>());
      rssKb.add(new ArrayList<>());
    }
    for (int i = 0; i < REPEAT; i++) {
      for (int turn = 0; turn < n; turn++) {
        int k = (i + turn) % n;
        if (before != null) {
          run(before, env);
        }
        List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-f", "%M"));
        timed.addAll(commands.get(k));
        ProcessBuilder builder =
            new ProcessBuilder(timed).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        millis.get(k).add((System.nanoTime() - start) / 1_000_000);
        String[] lines = err.strip().split("\n");
        rssKb.get(k).add(Long.parseLong(lines[lines.length - 1].trim()));
        if (code != 0) {
          line("| " + name + " | failed with exit " + code + ": " + lines[0] + " | |");
          return;
        }
        if (after != null) {
          run(after, env);
        }
      }
    }
    if (n == 1) {
      line(
          String.format(
              Locale.ROOT,
              "| %s | %.2f s | %d MB |",
              name,
              median(millis.get(0)) / 1000.0,
              median(rssKb.get(0)) / 1024));
      return;
    }
    StringBuilder row = new StringBuilder("| " + name + " |");
    for (int k = 0; k < n; k++) {
      row.append(
          String.format(
              Locale.ROOT,
              " %.2f s, %d MB |",
              median(millis.get(k)) / 1000.0,
              median(rssKb.get(k)) / 1024));
    }
    line(row.toString());
  }

  /**
   * 2. Reaction time: the pods of a scaled-down workload are held, then deleted at a known moment;
   * the time from that moment until scale-down returns is how late the step notices.
   */
  private void reaction(DemoCluster cluster) throws Exception {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < REPEAT; i++) {
      String ns = "react-" + i;
      cluster
          .client()
          .apps()
          .deployments()
          .inNamespace(ns)
          .resource(SampleApp.deployment("web", 2, "shop:1.0"))
          .create();
      try (dev.pitstop.demo.SimulatedControllers controllers =
          new dev.pitstop.demo.SimulatedControllers(cluster.client(), ns).start()) {
        while (cluster.client().pods().inNamespace(ns).list().getItems().size() < 2) {
          Thread.onSpinWait();
        }
        controllers.stuckPods("web");
        String[] ids = {"--app", "react", "-n", ns, "--run-id", "bench", "--timeout", "1m"};
        cli(cluster, concat(new String[] {"lock"}, ids));
        java.util.concurrent.CompletableFuture<Long> returned =
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                  cli(
                      cluster,
                      concat(
                          concat(new String[] {"scale-down"}, ids),
                          "--workload",
                          "deployment/web"));
                  return System.nanoTime();
                });
        while (cluster
                .client()
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName("web")
                .get()
                .getSpec()
                .getReplicas()
            != 0) {
          Thread.onSpinWait();
        }
        // a fixed pause (this is a measurement, not a test): the step reaches its watch first
        java.util.concurrent.locks.LockSupport.parkNanos(300_000_000L);
        long gone = System.nanoTime();
        cluster
            .client()
            .pods()
            .inNamespace(ns)
            .withLabel("component", "web")
            .withGracePeriod(0)
            .delete();
        delays.add((returned.get() - gone) / 1_000_000);
        cli(cluster, concat(new String[] {"unlock"}, ids));
      }
    }
    line("");
    line("## Reaction time: last pod deleted → scale-down returns (watch, not polling)");
    line("");
    line("| median | max |");
    line("|---|---|");
    line(String.format(Locale.ROOT, "| %d ms | %d ms |", median(delays), Collections.max(delays)));
  }

  /**
   * The round trip a request to a real API server takes (network, authentication, admission, etcd
   * write): the in-process server answers in well under a millisecond, so without it the fan-out
   * measures only how fast two CPUs run Pitstop, the server and the simulated controllers together.
   */
  private static final int API_LATENCY_MILLIS = 5;

  /**
   * 3. scale-down and scale-up of 1, 10, 50 and 200 Deployments, in-process, REPEAT times, with
   * {@code latencyMillis} added to each of Pitstop's requests.
   */
  private void fanOut(DemoCluster cluster, int latencyMillis) throws Exception {
    line("");
    line(
        latencyMillis == 0
            ? "## Fan-out: scale-down then scale-up of N Deployments (in-process, no controller delay)"
            : "## Fan-out with "
                + latencyMillis
                + " ms added to each of Pitstop's requests (a real API server's round trip)");
    line("");
    line(
        "Each N starts from running, ready pods; API requests are those Pitstop sends. "
            + (latencyMillis == 0
                ? "The in-process server answers at once, so this is CPU-bound: Pitstop, the"
                    + " server and the simulated controllers share the machine's CPUs."
                : "The delay is added on the calling thread before each request is sent, so"
                    + " requests sent concurrently wait concurrently, as on a network."));
    line("");
    line("| N | scale-down | scale-up | API requests (down / up) |");
    line("|---|---|---|---|");
    Map<Integer, long[]> medians = new java.util.LinkedHashMap<>();
    int[] requests200 = {0, 0};
    for (int n : new int[] {1, 10, 50, 200}) {
      String ns = "fan-" + n + "-" + latencyMillis;
      for (int i = 0; i < n; i++) {
        cluster
            .client()
            .apps()
            .deployments()
            .inNamespace(ns)
            .resource(SampleApp.deployment("w" + i, 1, "shop:1.0"))
            .create();
      }
      dev.pitstop.demo.SimulatedControllers controllers =
          new dev.pitstop.demo.SimulatedControllers(cluster.client(), ns).start();
      awaitAllReady(cluster, ns, n);
      String[] ids = {"--app", "fan", "-n", ns, "--run-id", "bench", "--timeout", "5m"};
      List<Long> downs = new ArrayList<>();
      List<Long> ups = new ArrayList<>();
      RequestCounter downRequests = null;
      RequestCounter upRequests = null;
      for (int r = 0; r < REPEAT; r++) {
        cli(cluster, concat(new String[] {"lock"}, ids));
        downRequests = new RequestCounter(latencyMillis);
        downs.add(
            timed(
                cluster,
                downRequests,
                concat(concat(new String[] {"scale-down"}, ids), "--selector", "app=shop")));
        upRequests = new RequestCounter(latencyMillis);
        ups.add(timed(cluster, upRequests, concat(new String[] {"scale-up"}, ids)));
        cli(cluster, concat(new String[] {"unlock"}, ids));
        // the in-memory server scans every object it holds on each request: keep it as it was
        cluster.client().v1().events().inNamespace(ns).delete();
      }
      controllers.close();
      cluster.client().apps().deployments().inNamespace(ns).delete();
      cluster.client().pods().inNamespace(ns).delete();
      medians.put(n, new long[] {median(downs), median(ups)});
      requests200 = new int[] {downRequests.total(), upRequests.total()};
      line(
          String.format(
              Locale.ROOT,
              "| %d | %.2f s | %.2f s | %d / %d |",
              n,
              median(downs) / 1000.0,
              median(ups) / 1000.0,
              downRequests.total(),
              upRequests.total()));
    }
    line("");
    line(
        String.format(
            Locale.ROOT,
            "200 vs 10: scale-down %.1f×, scale-up %.1f×.",
            (double) medians.get(200)[0] / medians.get(10)[0],
            (double) medians.get(200)[1] / medians.get(10)[1]));
    if (latencyMillis > 0) {
      line(
          String.format(
              Locale.ROOT,
              "Sent one after another, N = 200's requests would wait %.2f s (down) and %.2f s (up)"
                  + " for the round trips alone.",
              requests200[0] * latencyMillis / 1000.0,
              requests200[1] * latencyMillis / 1000.0));
    }
  }

  /** Waits until the namespace's n Deployments each have their one pod, ready. */
  private static void awaitAllReady(DemoCluster cluster, String ns, int n) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      long ready =
          cluster.client().apps().deployments().inNamespace(ns).list().getItems().stream()
              .filter(d -> d.getStatus() != null)
              .filter(d -> Integer.valueOf(1).equals(d.getStatus().getAvailableReplicas()))
              .count();
      if (ready == n) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
    }
    throw new IllegalStateException(ns + ": the Deployments did not become ready");
  }

  /**
   * 4. pitstop migrate vs the plain Flyway API, 500 small migrations, both in this JVM and both in
   * one transaction (Pitstop's default {@code --atomic}, Flyway's {@code group}). Pitstop's side is
   * the whole in-process command: option parsing, session check, history read, migrate and result.
   * JVM start-up counts for neither. One discarded warm-up pair first, then pairs in alternating
   * order, each on two fresh databases that are dropped afterwards.
   */
  private void migrationOverhead(DemoDatabase database) throws Exception {
    Path migrations = Files.createDirectories(work.resolve("migrations-500"));
    for (int i = 1; i <= 500; i++) {
      Files.writeString(
          migrations.resolve("V" + i + "__step_" + i + ".sql"),
          "CREATE TABLE t"
              + i
              + " (id bigint PRIMARY KEY, v text);\nINSERT INTO t"
              + i
              + " VALUES (1, 'x');\n");
    }
    List<Long> plain = new ArrayList<>();
    List<Long> pitstop = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    // Whichever runs first in a pair takes 10-25 % longer (seen with either first, cause not
    // found; a CHECKPOINT before the pair did not remove it), so the order alternates over an even
    // number of pairs and the geometric mean of the paired ratios cancels it out.
    int runs = Math.max(12, REPEAT + REPEAT % 2);
    for (int i = -1; i < runs; i++) {
      String a = "plain" + (i + 1);
      String b = "pit" + (i + 1);
      createDatabase(database, a);
      createDatabase(database, b);
      long plainMs;
      long pitstopMs;
      if (i % 2 == 0) {
        plainMs = plainFlyway(database, a, migrations);
        pitstopMs = pitstopMigrate(database, b, migrations);
      } else {
        pitstopMs = pitstopMigrate(database, b, migrations);
        plainMs = plainFlyway(database, a, migrations);
      }
      for (String name : List.of(a, b)) {
        String applied =
            database.query(name, "SELECT count(*) FROM flyway_schema_history WHERE success");
        if (!"500".equals(applied)) {
          line("migrate: " + name + " has " + applied + " migrations applied, not 500");
          return;
        }
        dropDatabase(database, name);
      }
      if (i >= 0) {
        plain.add(plainMs);
        pitstop.add(pitstopMs);
        ratios.add((double) pitstopMs / plainMs);
      }
    }
    double geometricMean =
        Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(Double.NaN));
    // pairs alternate, plain Flyway first in the even ones: the two halves give the order effect
    double plainFirst =
        Math.exp(
            java.util.stream.IntStream.range(0, ratios.size())
                .filter(i -> i % 2 == 0)
                .mapToDouble(i -> Math.log(ratios.get(i)))
                .average()
                .orElse(Double.NaN));
    double firstRunPenalty = geometricMean / plainFirst;
    String pairs =
        java.util.stream.IntStream.range(0, ratios.size())
            .mapToObj(
                i ->
                    String.format(
                        Locale.ROOT,
                        "%s %.2f/%.2f",
                        i % 2 == 0 ? "plain first" : "pitstop first",
                        plain.get(i) / 1000.0,
                        pitstop.get(i) / 1000.0))
            .collect(java.util.stream.Collectors.joining("; "));
    Collections.sort(ratios);
    line("");
    line(
        "## Migration overhead: 500 small migrations, one transaction, in-process, fresh databases"
            + " ("
            + runs
            + " alternating pairs after a warm-up pair)");
    line("");
    line(
        "| plain Flyway API | pitstop migrate | ratio of medians | median of paired ratios |"
            + " geometric mean of paired ratios |");
    line("|---|---|---|---|---|");
    line(
        String.format(
            Locale.ROOT,
            "| %.2f s | %.2f s | %.3f | %.3f | %.3f |",
            median(plain) / 1000.0,
            median(pitstop) / 1000.0,
            (double) median(pitstop) / median(plain),
            ratios.get(ratios.size() / 2),
            geometricMean));
    line("");
    line("Pairs (plain / pitstop, seconds): " + pairs + ".");
    line(
        String.format(
            Locale.ROOT,
            "Whichever ran first in its pair took %.0f %% longer; the geometric mean cancels that.",
            (firstRunPenalty - 1) * 100));
  }

  private static long plainFlyway(DemoDatabase database, String name, Path migrations) {
    long start = System.nanoTime();
    Flyway.configure()
        .dataSource(database.jdbcUrl(name), DemoDatabase.USER, DemoDatabase.PASSWORD)
        .locations("filesystem:" + migrations)
        .group(true)
        .load()
        .migrate();
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static long pitstopMigrate(DemoDatabase database, String name, Path migrations) {
    long start = System.nanoTime();
    int code =
        PitstopCli.execute(
            quiet(Map.of("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD), null),
            "migrate",
            "--run-id",
            "bench",
            "--jdbc-url",
            database.jdbcUrl(name),
            "--db-user",
            DemoDatabase.USER,
            "--locations",
            "filesystem:" + migrations);
    long took = (System.nanoTime() - start) / 1_000_000;
    if (code != 0) {
      throw new IllegalStateException("pitstop migrate exited " + code);
    }
    return took;
  }

  /** 5. run end to end with no controller delay and a trivial migration: Pitstop's overhead. */
  private void endToEnd(DemoCluster cluster, DemoDatabase database) throws Exception {
    createDatabase(database, "e2e");
    StringWriter out = new StringWriter();
    long start = System.nanoTime();
    int code =
        PitstopCli.execute(
            quiet(
                Map.of("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD),
                new PrintWriter(out),
                cluster),
            "run",
            "--app",
            "shop",
            "-n",
            NS,
            "--run-id",
            "e2e",
            "--selector",
            "app=shop",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "maintenance",
            "--jdbc-url",
            database.jdbcUrl("e2e"),
            "--db-user",
            DemoDatabase.USER,
            "--locations",
            "classpath:pitstop/demo/v1",
            "--output",
            "json");
    long total = (System.nanoTime() - start) / 1_000_000;
    line("");
    line("## End to end: `run`, in-memory cluster without controller delay, one small migration");
    line("");
    line("Exit " + code + ", " + String.format(Locale.ROOT, "%.2f s", total / 1000.0) + " in all.");
    line("");
    line("| step | state | duration |");
    line("|---|---|---|");
    JsonNode summary = new ObjectMapper().readTree(out.toString());
    for (JsonNode step : summary.path("steps")) {
      line(
          "| "
              + step.path("step").asText()
              + " | "
              + step.path("state").asText()
              + " | "
              + step.path("duration-ms").asLong()
              + " ms |");
    }
  }

  /**
   * The Kubernetes pod start-up SLO (kubernetes/community, sig-scalability/slos/
   * pod_startup_latency.md): a schedulable stateless pod, its image already on the node, starts
   * within 5 s at the 99th percentile per cluster-day, from its creation to its containers started,
   * not counting image pulls and init containers (which Argo's and Tekton's pods have).
   */
  private static final int POD_START_SECONDS = 5;

  /**
   * 6. The maintenance window per route of the shipped pipelines. The pods each route starts inside
   * it come from the YAML ({@link WindowPods}); Pitstop's own part is measured with each pod's step
   * as a whole process (the image's JVM flags, finding the server as in a pod), the window as the
   * run record measures it, from maintenance on to off; a cluster adds a pod start per pod,
   * modelled at {@link #POD_START_SECONDS}. Beside it, {@code run} in one process, and the JVM
   * alone. The routes take turns, REPEAT times each: snapshot on, one small migration, one smoke
   * URL.
   */
  private void window(DemoCluster cluster, DemoDatabase database) throws Exception {
    Path jar = Path.of("target", "pitstop.jar").toAbsolutePath();
    List<String> pitstop = new ArrayList<>(List.of(javaBinary()));
    pitstop.addAll(IMAGE_JVM_FLAGS);
    pitstop.addAll(List.of("-jar", jar.toString()));
    Map<String, String> env = new java.util.HashMap<>(podClientEnvironment(cluster));
    env.put("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD);
    String smokeUrl =
        cluster.client().getConfiguration().getMasterUrl().replaceAll("/$", "")
            + "/api/v1/namespaces/"
            + NS
            + "/configmaps/shop-settings";
    List<String> routes = List.of("run in one process", "one-pod", "per-step");
    Map<String, List<Long>> windows = new LinkedHashMap<>();
    Map<String, List<Long>> inSteps = new LinkedHashMap<>();
    routes.forEach(r -> windows.put(r, new ArrayList<>()));
    routes.forEach(r -> inSteps.put(r, new ArrayList<>()));
    List<Long> jvm = new ArrayList<>();
    for (int i = 0; i < REPEAT; i++) {
      long start = System.nanoTime();
      run(concat(pitstop, "--version"), env);
      jvm.add((System.nanoTime() - start) / 1_000_000);
      List<String> order = new ArrayList<>(routes);
      Collections.rotate(order, i);
      for (String route : order) {
        JsonNode window = windowOf(route, i, cluster, database, pitstop, env, smokeUrl);
        windows.get(route).add(window.path("total-ms").asLong());
        inSteps.get(route).add(window.path("in-pitstop-ms").asLong());
      }
    }
    line("");
    line("## The maintenance window per route: pods started inside it, and Pitstop's own part");
    line("");
    line("Pods the shipped pipelines start between the end of maintenance-on and the end of");
    line("maintenance-off, read from their YAML (`window` parameter), in a clean run and when");
    line("`migrate` fails:");
    line("");
    line("| route | Argo | Argo, migrate fails | Tekton | Tekton, migrate fails |");
    line("|---|---|---|---|---|");
    for (String route : List.of("one-pod", "per-step")) {
      line(
          "| "
              + route
              + " | "
              + pods(WindowPods.argo(route, null))
              + " | "
              + pods(WindowPods.argo(route, "migrate"))
              + " | "
              + pods(WindowPods.tekton(route, null))
              + " | "
              + pods(WindowPods.tekton(route, "migrate"))
              + " |");
    }
    line("");
    line(
        "Measured in this run (medians of "
            + REPEAT
            + ", the routes taking turns; in-memory API server and embedded PostgreSQL, snapshot");
    line(
        "on, one small migration, one smoke URL; each pod's step a whole process with the image's");
    line(
        "JVM flags, finding the server as in a pod; the window as the run record measures it). The");
    line(
        "JVM alone (`pitstop --version` as a process): "
            + seconds(median(jvm))
            + ". A cluster adds a pod start per pod, modelled at "
            + POD_START_SECONDS
            + " s, the Kubernetes pod");
    line("start-up SLO (p99, image on the node; Argo's and Tekton's init containers not counted).");
    line("");
    line(
        "| route | pods inside the window | Pitstop's part, measured | of it in the steps |"
            + " pod starts, modelled | modelled window |");
    line("|---|---|---|---|---|---|");
    for (String route : routes) {
      int pods = route.equals("run in one process") ? 0 : WindowPods.argo(route, null).size();
      long measured = median(windows.get(route));
      long model = measured + pods * POD_START_SECONDS * 1000L;
      line(
          "| "
              + route
              + " | "
              + pods
              + " | "
              + seconds(measured)
              + " | "
              + seconds(median(inSteps.get(route)))
              + " | "
              + (pods == 0 ? "–" : pods + " × " + POD_START_SECONDS + " s")
              + " | "
              + seconds(model)
              + " |");
    }
    long onePod = median(windows.get("one-pod"));
    long perStep = median(windows.get("per-step"));
    int extraPods =
        WindowPods.argo("per-step", null).size() - WindowPods.argo("one-pod", null).size();
    line("");
    line(
        "Pitstop's part of the window with the one-pod route: "
            + seconds(onePod)
            + " (goal ≤ 2 s: "
            + (onePod <= 2000 ? "met" : "not met")
            + "). The per-step route adds "
            + seconds(perStep - onePod)
            + " of Pitstop's own (a JVM and a client per pod)");
    line(
        "and "
            + extraPods
            + " pod starts ("
            + extraPods * POD_START_SECONDS
            + " s modelled): "
            + seconds(perStep - onePod + extraPods * POD_START_SECONDS * 1000L)
            + " more for users to wait.");
  }

  /** {@code 7 (scale-down, ..., finish)}. */
  private static String pods(List<String> tasks) {
    return tasks.size() + " (" + String.join(", ", tasks) + ")";
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
  }

  /**
   * One run of a route on a fresh database and run id; returns the window the run record measured
   * (its JSON breakdown: total-ms, in-pitstop-ms). Lock, maintenance-on and the end that only
   * unlocks run in this process: they are outside the window.
   */
  private static JsonNode windowOf(
      String route,
      int i,
      DemoCluster cluster,
      DemoDatabase database,
      List<String> pitstop,
      Map<String, String> env,
      String smokeUrl)
      throws Exception {
    String db = "win_" + route.replaceAll("\\W", "") + "_" + i;
    String runId = "win-" + route.replaceAll("\\W", "") + "-" + i;
    createDatabase(database, db);
    List<String> ids = List.of("--app", "shop", "-n", NS, "--run-id", runId, "--timeout", "2m");
    List<String> maintenance =
        List.of("--mode", "configmap", "--configmap", "shop-settings", "--key", "maintenance");
    List<String> dbArgs =
        List.of("--jdbc-url", database.jdbcUrl(db), "--db-user", DemoDatabase.USER);
    List<String> migrations = List.of("--locations", MIGRATION);
    List<String> runArgs =
        concat(
            concat(concat(ids, dbArgs), migrations),
            concat(maintenance, "--selector", "app=shop", "--snapshot", "--url", smokeUrl));
    try {
      if (route.equals("run in one process")) {
        StringWriter out = new StringWriter();
        int code =
            PitstopCli.execute(
                quiet(
                    Map.of("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD),
                    new PrintWriter(out),
                    cluster),
                concat(
                    new String[] {"run"},
                    concat(runArgs, "--output", "json").toArray(String[]::new)));
        return windowIn(route, code, out.toString());
      }
      cli(cluster, concat(new String[] {"lock"}, ids.toArray(String[]::new)));
      if (route.equals("one-pod")) {
        // the window's pod starts after lock and switches maintenance on itself
        List<String> window =
            concat(
                pitstop,
                concat(
                    concat(List.of("run"), runArgs),
                    List.of(
                        "--from",
                        "maintenance-on",
                        "--no-unlock",
                        "--retries",
                        "0",
                        "-o",
                        "json")));
        JsonNode result = windowIn(route, output(window, env));
        cli(cluster, concat(new String[] {"finish"}, concat(ids, dbArgs).toArray(String[]::new)));
        return result;
      }
      cli(
          cluster,
          concat(
              concat(new String[] {"maintenance-on"}, ids.toArray(String[]::new)),
              maintenance.toArray(String[]::new)));
      List<List<String>> pods =
          List.of(
              concat(List.of("scale-down"), concat(ids, "--selector", "app=shop")),
              concat(List.of("snapshot"), concat(ids, dbArgs)),
              concat(List.of("migrate"), concat(concat(ids, dbArgs), migrations)),
              concat(List.of("verify"), concat(concat(ids, dbArgs), migrations)),
              concat(List.of("scale-up"), ids),
              concat(List.of("smoke-test"), concat(ids, "--url", smokeUrl)));
      for (List<String> step : pods) {
        Output done = output(concat(pitstop, step), env);
        if (done.code() != 0) {
          throw new IllegalStateException(step.get(0) + " exited " + done.code() + ": " + done);
        }
      }
      return windowIn(
          route,
          output(
              concat(pitstop, concat(List.of("finish"), concat(concat(ids, dbArgs), "-o", "json"))),
              env));
    } finally {
      dropDatabase(database, dev.pitstop.db.Snapshots.snapshotName(db, runId));
      dropDatabase(database, db);
    }
  }

  /** What a process printed and how it ended. */
  private record Output(int code, String out) {}

  private static Output output(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Output(process.waitFor(), out);
  }

  private static JsonNode windowIn(String route, Output output) throws IOException {
    return windowIn(route, output.code(), output.out());
  }

  private static JsonNode windowIn(String route, int code, String json) throws IOException {
    JsonNode result = new ObjectMapper().readTree(json);
    if (code != 0 || !result.has("window")) {
      throw new IllegalStateException(route + " exited " + code + " without a window: " + json);
    }
    return result.path("window");
  }

  /**
   * 7. {@code snapshot} ({@code CREATE DATABASE ... TEMPLATE}) against {@code pg_dump | pg_restore}
   * into a new database, on a database of at least 1 GiB. Only with {@code -Dbench.only=snapshot};
   * {@code -Dbench.snapshot.repeat=N} (default 1) times each, median. The dump tools are the
   * system's ({@code /usr/bin/pg_dump}, {@code pg_restore}); the copies are dropped afterwards.
   */
  private void snapshot(DemoDatabase database) throws Exception {
    int runs = Integer.getInteger("bench.snapshot.repeat", 1);
    String source = "big";
    createDatabase(database, source);
    long fillStart = System.nanoTime();
    long size = fillBigDatabase(database, source);
    long fillMs = (System.nanoTime() - fillStart) / 1_000_000;
    List<Long> snapshots = new ArrayList<>();
    List<Long> custom = new ArrayList<>();
    List<Long> directory = new ArrayList<>();
    List<String> copyNames = new ArrayList<>();
    Path dumps = Files.createDirectories(work.resolve("dumps"));
    try {
      for (int i = 0; i < runs; i++) {
        String runId = "bench" + i;
        String snapshot = dev.pitstop.db.Snapshots.snapshotName(source, runId);
        copyNames.add(snapshot);
        checkpoint(database);
        long start = System.nanoTime();
        int code =
            PitstopCli.execute(
                quiet(Map.of("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD), null),
                "snapshot",
                "--run-id",
                runId,
                "--jdbc-url",
                database.jdbcUrl(source),
                "--db-user",
                DemoDatabase.USER);
        snapshots.add((System.nanoTime() - start) / 1_000_000);
        if (code != 0) {
          line("pitstop snapshot failed with exit " + code);
          return;
        }
        requireSameRows(database, source, snapshot);
        dropDatabase(database, snapshot);

        String restored = "big_restored_fc" + i;
        copyNames.add(restored);
        Path file = dumps.resolve("big.dump");
        checkpoint(database);
        start = System.nanoTime();
        tool(database, "/usr/bin/pg_dump", "-Fc", "-f", file.toString(), source);
        createDatabase(database, restored);
        tool(database, "/usr/bin/pg_restore", "-d", restored, file.toString());
        custom.add((System.nanoTime() - start) / 1_000_000);
        requireSameRows(database, source, restored);
        dropDatabase(database, restored);
        Files.deleteIfExists(file);

        restored = "big_restored_fd" + i;
        copyNames.add(restored);
        Path folder = dumps.resolve("big.dir");
        deleteTree(folder);
        checkpoint(database);
        start = System.nanoTime();
        tool(database, "/usr/bin/pg_dump", "-Fd", "-j", "2", "-f", folder.toString(), source);
        createDatabase(database, restored);
        tool(database, "/usr/bin/pg_restore", "-j", "2", "-d", restored, folder.toString());
        directory.add((System.nanoTime() - start) / 1_000_000);
        requireSameRows(database, source, restored);
        dropDatabase(database, restored);
        deleteTree(folder);
      }
    } finally {
      for (String name : copyNames) {
        dropDatabase(database, name);
      }
      dropDatabase(database, source);
      deleteTree(dumps);
    }
    long copy = median(snapshots);
    line("");
    line(
        String.format(
            Locale.ROOT,
            "## Snapshot: a %.2f GiB database (built in %.0f s), median of %d",
            size / (double) (1L << 30),
            fillMs / 1000.0,
            runs));
    line("");
    line("| copy | time | ratio to pitstop snapshot |");
    line("|---|---|---|");
    line(
        String.format(
            Locale.ROOT, "| pitstop snapshot (TEMPLATE) | %.1f s | 1.00 |", copy / 1000.0));
    line(
        String.format(
            Locale.ROOT,
            "| pg_dump -Fc, pg_restore | %.1f s | %.2f |",
            median(custom) / 1000.0,
            (double) median(custom) / copy));
    line(
        String.format(
            Locale.ROOT,
            "| pg_dump -Fd -j 2, pg_restore -j 2 | %.1f s | %.2f |",
            median(directory) / 1000.0,
            (double) median(directory) / copy));
  }

  /**
   * Three tables with indexes, filled with generate_series until the database holds at least 1 GiB;
   * returns pg_database_size.
   */
  private static long fillBigDatabase(DemoDatabase database, String name) throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                database.jdbcUrl(name), DemoDatabase.USER, DemoDatabase.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("SET synchronous_commit = off");
      s.execute(
          "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL,"
              + " created timestamptz NOT NULL)");
      s.execute(
          "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL,"
              + " amount numeric(12,2) NOT NULL, placed timestamptz NOT NULL, note text)");
      s.execute(
          "CREATE TABLE events (id bigint PRIMARY KEY, order_id bigint NOT NULL,"
              + " kind text NOT NULL, payload text NOT NULL)");
      s.execute(
          "INSERT INTO customers SELECT g, 'user' || g || '@example.com',"
              + " now() - g * interval '1 minute' FROM generate_series(1, 1000000) g");
      s.execute(
          "INSERT INTO orders SELECT g, 1 + g % 1000000, (g % 100000) / 100.0,"
              + " now() - g * interval '1 second', md5(g::text) FROM generate_series(1, 4000000) g");
      s.execute("CREATE INDEX orders_customer ON orders (customer_id)");
      s.execute("CREATE INDEX customers_email ON customers (email)");
      long size = 0;
      for (long from = 1; ; from += 2_000_000) {
        s.execute(
            "INSERT INTO events SELECT g, 1 + g % 4000000, 'kind' || g % 7,"
                + " repeat(md5(g::text), 3) FROM generate_series("
                + from
                + ", "
                + (from + 1_999_999)
                + ") g");
        size = databaseSize(s, name);
        if (size >= (1L << 30) + (64L << 20)) {
          break;
        }
      }
      s.execute("CREATE INDEX events_order ON events (order_id)");
      s.execute("VACUUM ANALYZE");
      size = databaseSize(s, name);
      if (size < 1L << 30) {
        throw new IllegalStateException("the big database has only " + size + " bytes");
      }
      return size;
    }
  }

  private static long databaseSize(Statement s, String name) throws Exception {
    try (java.sql.ResultSet rows = s.executeQuery("SELECT pg_database_size('" + name + "')")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void checkpoint(DemoDatabase database) throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                database.jdbcUrl("postgres"), DemoDatabase.USER, DemoDatabase.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CHECKPOINT");
    }
  }

  private static void requireSameRows(DemoDatabase database, String source, String copy) {
    String count =
        "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders)"
            + " + (SELECT count(*) FROM events)";
    String expected = database.query(source, count);
    String actual = database.query(copy, count);
    if (!expected.equals(actual)) {
      throw new IllegalStateException(
          copy + " has " + actual + " rows, " + source + " " + expected);
    }
  }

  private static void tool(DemoDatabase database, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(
        1,
        List.of(
            "-h", "localhost", "-p", Integer.toString(database.port()), "-U", DemoDatabase.USER));
    ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true);
    builder.environment().put("PGPASSWORD", DemoDatabase.PASSWORD);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = process.waitFor();
    if (code != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited " + code + ": " + output);
    }
  }

  private static void deleteTree(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static void createDatabase(DemoDatabase database, String name) throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                database.jdbcUrl("postgres"), DemoDatabase.USER, DemoDatabase.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name);
      s.execute("CREATE DATABASE " + name);
    }
  }

  private static void dropDatabase(DemoDatabase database, String name) throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                database.jdbcUrl("postgres"), DemoDatabase.USER, DemoDatabase.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name);
    }
  }

  private static CliEnvironment quiet(Map<String, String> env, PrintWriter out) {
    return quiet(env, out, null);
  }

  private static CliEnvironment quiet(
      Map<String, String> env, PrintWriter out, DemoCluster cluster) {
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    return new CliEnvironment(
        env,
        out == null ? sink : out,
        sink,
        cluster == null ? () -> null : cluster::newClient,
        Clock.systemUTC());
  }

  private static int cli(DemoCluster cluster, String... args) {
    int code = PitstopCli.execute(quiet(Map.of(), null, cluster), args);
    if (code != 0) {
      throw new IllegalStateException("pitstop " + String.join(" ", args) + " exited " + code);
    }
    return code;
  }

  private static long timed(DemoCluster cluster, RequestCounter requests, String... args) {
    long start = System.nanoTime();
    int code =
        PitstopCli.execute(
            new CliEnvironment(
                Map.of(),
                new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()),
                () -> requests.clientFor(cluster),
                Clock.systemUTC()),
            args);
    if (code != 0) {
      throw new IllegalStateException("pitstop " + String.join(" ", args) + " exited " + code);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /**
   * Counts the requests one step sends, by method (a watch counts as WATCH), delaying each by a
   * simulated network round trip when asked.
   */
  private static final class RequestCounter implements Interceptor {
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> byMethod =
        new java.util.concurrent.ConcurrentSkipListMap<>();
    private final int latencyMillis;

    RequestCounter(int latencyMillis) {
      this.latencyMillis = latencyMillis;
    }

    KubernetesClient clientFor(DemoCluster cluster) {
      return new KubernetesClientBuilder()
          .withConfig(
              new ConfigBuilder(cluster.client().getConfiguration())
                  .withRequestRetryBackoffLimit(0)
                  .build())
          .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("count", this))
          .build();
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      String query = request.uri().getQuery();
      String method = query != null && query.contains("watch=true") ? "WATCH" : request.method();
      byMethod
          .computeIfAbsent(method, m -> new java.util.concurrent.atomic.AtomicInteger())
          .incrementAndGet();
      if (latencyMillis > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(latencyMillis * 1_000_000L);
      }
    }

    int total() {
      return byMethod.values().stream()
          .mapToInt(java.util.concurrent.atomic.AtomicInteger::get)
          .sum();
    }

    @Override
    public String toString() {
      return byMethod.toString();
    }
  }

  private static Path kubeconfig(DemoCluster cluster) throws IOException {
    String server = cluster.client().getConfiguration().getMasterUrl();
    Path file = Files.createTempFile("pitstop-bench-", ".kubeconfig");
    file.toFile().deleteOnExit();
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: bench",
            "  cluster:",
            "    server: " + server.replaceAll("/$", ""),
            "    insecure-skip-tls-verify: true",
            "users:",
            "- name: bench",
            "  user:",
            "    token: bench",
            "contexts:",
            "- name: bench",
            "  context:",
            "    cluster: bench",
            "    user: bench",
            "    namespace: " + NS,
            "current-context: bench",
            ""));
    return file;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private static List<String> concat(List<String> first, String... more) {
    return concat(first, List.of(more));
  }

  private static String[] concat(String[] first, String... more) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
