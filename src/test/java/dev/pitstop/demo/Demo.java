package dev.pitstop.demo;

import com.sun.net.httpserver.HttpServer;
import dev.pitstop.cli.CliEnvironment;
import dev.pitstop.cli.PitstopCli;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * {@code pitstop demo}: the procedure run twice on an embedded PostgreSQL and an in-memory
 * Kubernetes API, a release that migrates and one that is rolled back. It lives with the tests,
 * whose fixtures it runs on, so that the image carries neither; {@code mvn package} puts it in
 * {@code target/demo/} beside {@code target/pitstop.jar}, whose {@code demo} command loads it.
 */
public final class Demo implements ToIntFunction<CliEnvironment> {
  private static final String APP = "shop";
  private static final String CHECKSUM =
      "SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM orders o";

  @Override
  public int applyAsInt(CliEnvironment environment) {
    PrintWriter out = environment.out();
    out.println(
        "== Pitstop demo: an embedded PostgreSQL, an in-memory Kubernetes API, a sample app");
    try (DemoDatabase database = DemoDatabase.start(APP);
        DemoCluster cluster = DemoCluster.start(APP);
        HealthEndpoint health = new HealthEndpoint();
        Migrations migrations = new Migrations()) {
      cluster.controllers().crashingImage("shop:3.0");
      CliEnvironment inner =
          new CliEnvironment(
              Map.of("PITSTOP_DB_PASSWORD", DemoDatabase.PASSWORD),
              out,
              new PrintWriter(java.io.Writer.nullWriter()),
              cluster::newClient,
              environment.clock());
      List<String> db =
          List.of("--jdbc-url", database.jdbcUrl(APP), "--db-user", DemoDatabase.USER);

      step(out, "setup: the app's schema today (V1: orders) and its data");
      int setup =
          pitstop(
              inner,
              out,
              concat(
                  List.of("migrate", "--run-id", "setup", "--locations", migrations.upTo(1)), db));
      String ordersBefore = database.query(APP, CHECKSUM);
      out.println(
          "  orders: "
              + database.query(APP, "SELECT count(*) FROM orders")
              + " rows, checksum "
              + ordersBefore);
      out.println("  cluster: " + describe(cluster));
      SampleApp.databaseSettings(cluster.client(), APP, "localhost", database.port());

      step(out, "0. before the first release: what would a run do, and how long would it take?");
      int plan =
          pitstop(
              inner,
              out,
              concat(
                  List.of(
                      "plan",
                      "--app",
                      APP,
                      "-n",
                      APP,
                      "--timeout",
                      "60s",
                      "--locations",
                      migrations.upTo(2)),
                  db));

      List<String> common =
          concat(
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
                  health.url(),
                  "--expect-json",
                  "/status=UP",
                  "--interval",
                  "200ms",
                  "--terminate-sessions",
                  "--retries",
                  "1"),
              db);

      step(out, "1. a good release: V2 adds orders.status, web moves to shop:2.0");
      int good =
          pitstop(
              inner,
              out,
              concat(
                  List.of(
                      "run",
                      "--run-id",
                      "release-2",
                      "--locations",
                      migrations.upTo(2),
                      "--image",
                      "web=shop:2.0",
                      "--expect-version",
                      "2"),
                  common));
      String ordersAfterGood = database.query(APP, CHECKSUM);
      out.println("  after: schema version " + version(database) + "; " + describe(cluster));

      step(out, "2. a bad release: V3 commits a new table, V4 fails half-way; snapshot on");
      int bad =
          pitstop(
              inner,
              out,
              concat(
                  List.of(
                      "run",
                      "--run-id",
                      "release-3",
                      "--snapshot",
                      "--no-atomic",
                      "--locations",
                      migrations.upTo(3),
                      "--image",
                      "web=shop:3.0"),
                  common));
      String ordersAfterBad = database.query(APP, CHECKSUM);
      String discounts = database.query(APP, "SELECT to_regclass('public.discounts')::text");
      out.println(
          "  after: schema version "
              + version(database)
              + (discounts == null ? ", no discounts table" : ", discounts table STILL THERE")
              + "; "
              + describe(cluster));
      out.println(
          "  orders checksum "
              + ordersAfterBad
              + (ordersAfterBad.equals(ordersAfterGood)
                  ? " = before the bad release (rows restored)"
                  : " DIFFERS from " + ordersAfterGood));

      step(
          out,
          "3. operator mode: a Migration is posted; the operator plans it, runs it in a Job and"
              + " reports each step");
      OperatorAct.Ended operated =
          OperatorAct.run(
              cluster,
              APP,
              "shop-3",
              database.jdbcUrl(APP),
              health.url(),
              out,
              environment.clock());
      out.println("  after: schema version " + version(database) + "; " + describe(cluster));

      boolean asExpected =
          operated.phase().equals("Succeeded")
              && "3".equals(version(database))
              && setup == 0
              && plan == 0
              && good == 0
              && bad == 1
              && discounts == null
              && ordersAfterBad.equals(ordersAfterGood)
              && ordersBefore != null;
      step(
          out,
          asExpected
              ? "demo done: release 2 migrated and up; release 3 rolled back exactly (exit 1, as"
                  + " designed); the operator's Migration shop-3 migrated and up"
              : "demo FAILED: the outcomes above are not what Pitstop promises");
      out.println(
          "   (the embedded PostgreSQL, the in-memory cluster and their files are removed now)");
      out.flush();
      return asExpected ? 0 : 1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void step(PrintWriter out, String title) {
    out.println();
    out.println("== " + title);
    out.flush();
  }

  private static int pitstop(CliEnvironment inner, PrintWriter out, List<String> args) {
    out.println("$ pitstop " + String.join(" ", args));
    out.flush();
    int code = PitstopCli.execute(inner, args.toArray(String[]::new));
    out.println("  -> exit " + code);
    return code;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private static String version(DemoDatabase database) {
    return database.query(
        APP,
        "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank DESC LIMIT 1");
  }

  private static String describe(DemoCluster cluster) {
    Deployment web = cluster.client().apps().deployments().inNamespace(APP).withName("web").get();
    String maintenance =
        cluster
            .client()
            .configMaps()
            .inNamespace(APP)
            .withName("shop-settings")
            .get()
            .getData()
            .getOrDefault("maintenance", "off");
    boolean locked =
        cluster.client().configMaps().inNamespace(APP).withName("pitstop-" + APP).get() != null;
    return "web "
        + web.getSpec().getReplicas()
        + " replicas "
        + web.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
        + ", maintenance "
        + maintenance
        + ", "
        + (locked ? "LOCKED" : "unlocked");
  }

  /**
   * The sample app's migrations as folders, as a pipeline mounts them: Pitstop's Flyway reads
   * {@code classpath:} locations from its own class path, which does not hold the demo's jar.
   */
  private static final class Migrations implements AutoCloseable {
    private static final Map<Integer, List<String>> RELEASES =
        Map.of(
            1, List.of("V1__create_orders.sql"),
            2, List.of("V2__add_order_status.sql"),
            3, List.of("V3__create_discounts.sql", "V4__apply_discounts.sql"));

    private final Path root;

    Migrations() throws IOException {
      root = Files.createTempDirectory("pitstop-demo-migrations");
      for (Map.Entry<Integer, List<String>> release : RELEASES.entrySet()) {
        Path folder = Files.createDirectories(root.resolve("v" + release.getKey()));
        for (String script : release.getValue()) {
          try (InputStream in =
              Demo.class.getResourceAsStream("/pitstop/demo/v" + release.getKey() + "/" + script)) {
            Files.copy(in, folder.resolve(script));
          }
        }
      }
    }

    /** The locations of releases 1 to {@code release}, as --locations takes them. */
    String upTo(int release) {
      List<String> locations = new ArrayList<>();
      for (int i = 1; i <= release; i++) {
        locations.add("filesystem:" + root.resolve("v" + i));
      }
      return String.join(",", locations);
    }

    @Override
    public void close() throws IOException {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  /** The sample app's health endpoint, as the smoke test sees it through its Service. */
  private static final class HealthEndpoint implements AutoCloseable {
    private final HttpServer server;

    HealthEndpoint() {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext(
          "/healthz",
          exchange -> {
            byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream stream = exchange.getResponseBody()) {
              stream.write(body);
            }
          });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/healthz";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
