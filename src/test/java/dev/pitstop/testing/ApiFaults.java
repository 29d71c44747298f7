package dev.pitstop.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pitstop.kube.KubeClients;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Injects faults into the Kubernetes API calls the CLI makes. Every request the CLI's client sends
 * passes an {@link Interceptor} that numbers it and names the procedure step that made it (from the
 * calling thread's stack); the request chosen to fail is redirected to a small local HTTP server
 * that answers 500, 429 or 409, resets the connection, or never answers (the client's request
 * timeout fires). A {@link Fault#KILL} ends the CLI at that request by throwing {@link Killed}, an
 * {@link Error} nothing in the product catches: the process "dies" mid-step and a new process must
 * carry on from the run record.
 */
public final class ApiFaults implements AutoCloseable {
  /** What happens to the chosen request. */
  public enum Fault {
    HTTP_500,
    HTTP_429,
    HTTP_409,
    RESET,
    TIMEOUT,
    /** 403 Forbidden: the client may not do this; never retried. */
    HTTP_403,
    /** From the chosen request on, every request's connection is reset until {@link #endOutage}. */
    OUTAGE,
    KILL;

    public String label() {
      return switch (this) {
        case HTTP_500 -> "API 500";
        case HTTP_429 -> "API 429";
        case HTTP_409 -> "API 409 conflict";
        case RESET -> "API connection reset";
        case TIMEOUT -> "API timeout";
        case HTTP_403 -> "API 403 forbidden";
        case OUTAGE -> "API outage longer than --timeout";
        case KILL -> "process killed";
      };
    }
  }

  /**
   * One API request as the CLI sent it; {@code background} when a thread other than the step's sent
   * it (a watch), where a {@link Fault#KILL} cannot end the CLI.
   */
  public record Call(
      int index, String method, String path, String step, int ordinal, boolean background) {
    public boolean isWrite() {
      return isWrite(method);
    }

    static boolean isWrite(String method) {
      return !method.equals("GET");
    }

    /** Where this call is, in terms that stay true when timing changes other calls. */
    public Point point() {
      return new Point(step, isWrite(), ordinal);
    }
  }

  /**
   * A place in the procedure: the {@code ordinal}-th read (GET) or write (any other method) that
   * step {@code step} sends. Watches and polls make the global numbering depend on timing; this
   * does not.
   */
  public record Point(String step, boolean write, int ordinal) {
    @Override
    public String toString() {
      return step + " " + (write ? "write" : "read") + " #" + ordinal;
    }
  }

  /** Thrown at the chosen request by {@link Fault#KILL}: the CLI process ends there. */
  public static final class Killed extends Error {
    private static final long serialVersionUID = 1L;

    Killed(Call call) {
      super("killed at " + call);
    }
  }

  /** How long a client waits for an answer before the {@link Fault#TIMEOUT} fault fires. */
  public static final int REQUEST_TIMEOUT_MILLIS = 1_000;

  private final HttpServer faultServer;
  private final ExecutorService faultThreads = Executors.newCachedThreadPool();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger counter = new AtomicInteger();
  private final java.util.Map<String, AtomicInteger> perStep =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Point failAt;
  private volatile java.util.function.Predicate<URI> failWhere;
  private volatile Fault fault;
  private volatile Call injectedAt;
  private volatile String currentStep = "-";
  private volatile boolean outage;

  public ApiFaults() {
    try {
      faultServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    faultServer.setExecutor(faultThreads);
    faultServer.createContext("/", this::answer);
    faultServer.start();
  }

  /** Fails the request at {@code point} (counting from 1, over all clients) with {@code f}. */
  public ApiFaults failAt(Point point, Fault f) {
    this.failAt = point;
    this.fault = f;
    return this;
  }

  /** Fails the first request whose URI (path and query) matches {@code where} with {@code f}. */
  public ApiFaults failFirst(java.util.function.Predicate<URI> where, Fault f) {
    this.failWhere = where;
    this.fault = f;
    return this;
  }

  /** Stops injecting; numbering goes on. */
  public ApiFaults disarm() {
    this.failAt = null;
    this.failWhere = null;
    this.outage = false;
    return this;
  }

  /** Ends an {@link Fault#OUTAGE}: requests reach the server again. */
  public ApiFaults endOutage() {
    return disarm();
  }

  /** Every request seen so far, in order. */
  public List<Call> calls() {
    return new ArrayList<>(calls);
  }

  /** The request the fault was injected at, or null when it was not reached. */
  public Call injectedAt() {
    return injectedAt;
  }

  /** A {@link CliRunner} whose clients talk to {@code server} through this injector. */
  public CliRunner runner(Config server) {
    return new CliRunner(() -> client(server));
  }

  private KubernetesClient client(Config server) {
    // the steps' own client (the kinds Pitstop reads), with every request passing the injector
    return KubeClients.build(
        new ConfigBuilder(server)
            .withRequestRetryBackoffLimit(0)
            .withRequestTimeout(REQUEST_TIMEOUT_MILLIS)
            .build(),
        builder -> builder.addOrReplaceInterceptor("faults", new Injector()));
  }

  private final class Injector implements Interceptor {
    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      String step = stepOnStack();
      if (step != null) {
        currentStep = step;
      }
      String method = request.method().toUpperCase(Locale.ROOT);
      String owner = step != null ? step : currentStep;
      int ordinal =
          perStep
              .computeIfAbsent(
                  owner + (Call.isWrite(method) ? "/w" : "/r"), k -> new AtomicInteger())
              .incrementAndGet();
      Call call =
          new Call(
              counter.incrementAndGet(),
              method,
              request.uri().getPath(),
              owner,
              ordinal,
              step == null);
      calls.add(call);
      if (outage) {
        redirect(builder, request, Fault.RESET);
        return;
      }
      java.util.function.Predicate<URI> where = failWhere;
      boolean chosen = where != null ? where.test(request.uri()) : call.point().equals(failAt);
      if (!chosen || injectedAt != null) {
        return;
      }
      if (fault == Fault.KILL && call.background()) {
        return; // a watch's thread: throwing here would not end the CLI
      }
      injectedAt = call;
      if (fault == Fault.KILL) {
        throw new Killed(call);
      }
      if (fault == Fault.OUTAGE) {
        outage = true;
        redirect(builder, request, Fault.RESET);
        return;
      }
      redirect(builder, request, fault);
    }

    private void redirect(BasicBuilder builder, HttpRequest request, Fault kind) {
      builder.uri(
          URI.create(
              "http://127.0.0.1:"
                  + faultServer.getAddress().getPort()
                  + "/"
                  + kind.name()
                  + request.uri().getPath()));
    }
  }

  private void answer(HttpExchange exchange) throws IOException {
    String kind = exchange.getRequestURI().getPath().split("/")[1];
    switch (Fault.valueOf(kind)) {
      case HTTP_500 -> status(exchange, 500, "InternalError", "injected server error");
      case HTTP_429 -> status(exchange, 429, "TooManyRequests", "injected throttling");
      case HTTP_409 -> status(exchange, 409, "Conflict", "injected conflict");
      case HTTP_403 -> status(exchange, 403, "Forbidden", "injected: forbidden by RBAC");
      case RESET -> exchange.close();
      case TIMEOUT -> {
        try {
          closed.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        exchange.close();
      }
      case KILL, OUTAGE -> throw new IllegalStateException(kind + " never reaches the server");
    }
  }

  private static void status(HttpExchange exchange, int code, String reason, String message)
      throws IOException {
    byte[] body =
        ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
                + code
                + ",\"reason\":\""
                + reason
                + "\",\"message\":\""
                + message
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** The outermost procedure step on the calling thread's stack, by its subcommand name. */
  static String stepOnStack() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames
                    .filter(f -> f.getClassName().startsWith("dev.pitstop.step."))
                    .map(f -> stepName(f.getClassName(), f.getMethodName()))
                    .filter(name -> name != null)
                    .reduce((inner, outer) -> outer)
                    .orElse(null));
  }

  private static String stepName(String className, String method) {
    String simple = className.substring(className.lastIndexOf('.') + 1);
    int nested = simple.indexOf('$');
    if (nested >= 0) {
      simple = simple.substring(0, nested);
    }
    return switch (simple) {
      case "LockStep" -> "lock";
      case "MaintenanceStep" -> method.startsWith("off") ? "maintenance-off" : "maintenance-on";
      case "ScaleDownStep" -> "scale-down";
      case "SnapshotStep" -> "snapshot";
      case "MigrateStep" -> "migrate";
      case "VerifyStep" -> "verify";
      case "ScaleUpStep" -> "scale-up";
      case "SmokeTestStep" -> "smoke-test";
      case "RollbackStep" -> "rollback";
      case "UnlockStep" -> "unlock";
      default -> null;
    };
  }

  @Override
  public void close() {
    closed.countDown();
    faultServer.stop(0);
    faultThreads.shutdownNow();
  }
}
