package dev.pitstop.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.ConfigDefaults;
import dev.pitstop.cli.PitstopCli;
import dev.pitstop.demo.DemoCluster;
import dev.pitstop.demo.DemoDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image's class path is enough for every step: each command is started as the image starts it
 * (its entrypoint's JVM flags and main class, its class path unpacked from
 * target/jib-image-check.tar), with this machine's JVM. A class the image left out fails the
 * command that loads it, which an in-process test, whose class path holds the test libraries too,
 * would never see.
 */
class ImageClassPathIT {
  private static final String APP = "shop";

  private static ImageLayout image;
  private static DemoCluster cluster;
  private static DemoDatabase database;

  @BeforeAll
  static void start() throws IOException {
    image =
        ImageLayout.unpack(
            Path.of("target", "jib-image-check.tar"), Path.of("target", "image-class-path"));
    cluster = DemoCluster.start(APP);
    database = DemoDatabase.start(APP);
  }

  @AfterAll
  static void stop() {
    if (database != null) {
      database.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyCommandsHelpStartsFromTheImage() throws Exception {
    assertThat(pitstop(Map.of(), "--help").exitCode()).isZero();
    List<String> commands = new ArrayList<>(subcommands());
    assertThat(commands).contains("lock", "migrate", "run", "status", "demo");
    // two at a time (each is a JVM start, on two CPUs)
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Run>> helps = new ArrayList<>();
      for (String command : commands) {
        helps.add(pool.submit(() -> pitstop(Map.of(), command, "--help")));
      }
      for (int i = 0; i < commands.size(); i++) {
        Run help = helps.get(i).get();
        assertThat(help.exitCode()).as(commands.get(i) + ": " + help).isZero();
        assertThat(help.out()).as(commands.get(i)).startsWith("Usage: pitstop " + commands.get(i));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theDemoInTheImageSaysWhereItRuns() {
    Run demo = pitstop(Map.of(), "demo");

    assertThat(demo.exitCode()).as(demo.toString()).isEqualTo(2);
    assertThat(demo.err())
        .contains("the demo is not part of this build")
        .contains("java -jar target/pitstop.jar demo")
        .doesNotContain("Exception");
  }

  @Test
  void aReleaseAndARolledBackReleaseRunFromTheImage() throws IOException {
    Path migrations = Path.of("target", "test-classes", "pitstop", "demo").toAbsolutePath();
    String smokeUrl =
        cluster.client().getConfiguration().getMasterUrl().replaceAll("/$", "")
            + "/api/v1/namespaces/"
            + APP
            + "/configmaps/shop-settings";
    List<String> common =
        List.of(
            "--app",
            APP,
            "-n",
            APP,
            "--timeout",
            "60s",
            "--selector",
            "app=shop",
            "--mode",
            "configmap",
            "--configmap",
            "shop-settings",
            "--key",
            "maintenance",
            "--value",
            "on",
            "--url",
            smokeUrl,
            "--interval",
            "200ms",
            "--terminate-sessions",
            "--retries",
            "1",
            "--jdbc-url",
            database.jdbcUrl(APP),
            "--db-user",
            DemoDatabase.USER);
    Map<String, String> env = podEnvironment();
    cluster.controllers().crashingImage("shop:3.0");

    Run good =
        pitstop(
            env,
            concat(
                List.of(
                    "run",
                    "--run-id",
                    "release-2",
                    "--locations",
                    "filesystem:"
                        + migrations.resolve("v1")
                        + ",filesystem:"
                        + migrations.resolve("v2"),
                    "--image",
                    "web=shop:2.0"),
                common));
    Run bad =
        pitstop(
            env,
            concat(
                List.of(
                    "run",
                    "--run-id",
                    "release-3",
                    "--snapshot",
                    "--no-atomic",
                    "--locations",
                    "filesystem:"
                        + migrations.resolve("v1")
                        + ",filesystem:"
                        + migrations.resolve("v2")
                        + ",filesystem:"
                        + migrations.resolve("v3"),
                    "--image",
                    "web=shop:3.0"),
                common));
    Run status =
        pitstop(
            env,
            "status",
            "--app",
            APP,
            "-n",
            APP,
            "--jdbc-url",
            database.jdbcUrl(APP),
            "--db-user",
            DemoDatabase.USER);

    assertThat(good.exitCode()).as(good.toString()).isZero();
    assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);
    assertThat(bad.out()).contains("rollback").contains("restore");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    for (Run run : List.of(good, bad, status)) {
      assertThat(run.err()).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
    }
  }

  /** How a step in a pod finds the API server: address, token and namespace, no kubeconfig. */
  private static Map<String, String> podEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("KUBERNETES_MASTER", cluster.client().getConfiguration().getMasterUrl());
    env.put("KUBERNETES_AUTH_TOKEN", "image");
    env.put("KUBERNETES_NAMESPACE", APP);
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.put("KUBECONFIG", "/nonexistent");
    env.put("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD);
    return env;
  }

  /** Every subcommand but picocli's own {@code help}. */
  private static List<String> subcommands() {
    PrintWriter discard = new PrintWriter(Writer.nullWriter());
    return PitstopCli.create(
            new CliEnvironment(Map.of(), discard, discard, () -> null, Clock.systemUTC()),
            ConfigDefaults.load(Map.of(), new String[0]))
        .getSubcommands()
        .keySet()
        .stream()
        .filter(name -> !name.equals("help"))
        .toList();
  }

  private record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Run pitstop(Map<String, String> env, String... args) {
    return pitstop(env, List.of(args));
  }

  private static Run pitstop(Map<String, String> env, List<String> args) {
    List<String> command =
        new ArrayList<>(
            image.command(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(args);
    try {
      Path err = Files.createTempFile("pitstop-image", ".err");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectError(err.toFile())
              .directory(new java.io.File("/tmp"));
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = process.waitFor();
      String errText = Files.readString(err);
      Files.delete(err);
      return new Run(code, out, errText);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
