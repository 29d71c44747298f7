package dev.pitstop.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers every path with 503 and the maintenance page, and {@code /healthz} with 200 for probes. A
 * fixed number of worker threads serve requests; when they and their queue are full, the accepting
 * thread serves the request itself, which slows accepting down instead of failing.
 */
public final class MaintenancePageServer implements AutoCloseable {
  public static final String HEALTH_PATH = "/healthz";

  private static final byte[] HEALTHY = "ok\n".getBytes(StandardCharsets.UTF_8);
  private static final String BUILT_IN_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

  static {
    // The JDK reads these once, when its first server is made. It writes a response's headers
    // and body as two TCP segments; with Nagle's algorithm on, the body waits for the client's
    // delayed ACK, about 40 ms per response. And it closes keep-alive connections beyond 200 idle
    // ones, which a busy ingress controller's connection pool runs into.
    defaultProperty("sun.net.httpserver.nodelay", "true");
    defaultProperty("sun.net.httpserver.maxIdleConnections", "1024");
  }

  private static void defaultProperty(String name, String value) {
    if (System.getProperty(name) == null) {
      System.setProperty(name, value);
    }
  }

  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final MaintenancePage page;
  private boolean stopped;

  private MaintenancePageServer(
      HttpServer server, ThreadPoolExecutor workers, MaintenancePage page) {
    this.server = server;
    this.workers = workers;
    this.page = page;
  }

  /**
   * Binds {@code address} (port 0: any free port) and starts serving.
   *
   * @param threads the most requests served at once
   */
  public static MaintenancePageServer start(
      InetSocketAddress address, MaintenancePage page, int threads) throws IOException {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(threads * 64),
            task -> {
              Thread thread = new Thread(task, "maintenance-page-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    HttpServer server = HttpServer.create(address, 1024);
    MaintenancePageServer pageServer = new MaintenancePageServer(server, workers, page);
    server.createContext("/", pageServer::handle);
    server.setExecutor(workers);
    server.start();
    return pageServer;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream request = exchange.getRequestBody()) {
      request.transferTo(OutputStream.nullOutputStream());
      Headers headers = exchange.getResponseHeaders();
      headers.set("Cache-Control", "no-store");
      headers.set("X-Content-Type-Options", "nosniff");
      if (exchange.getRequestURI().getPath().equals(HEALTH_PATH)) {
        headers.set("Content-Type", "text/plain; charset=utf-8");
        send(exchange, 200, HEALTHY);
        return;
      }
      headers.set("Retry-After", Long.toString(page.retryAfterSeconds()));
      headers.set("Vary", "Accept");
      byte[] body;
      if (MaintenancePage.prefersJson(exchange.getRequestHeaders().getFirst("Accept"))) {
        headers.set("Content-Type", "application/json");
        body = page.jsonBytes();
      } else {
        headers.set("Content-Type", "text/html; charset=utf-8");
        if (page.isBuiltIn()) {
          headers.set("Content-Security-Policy", BUILT_IN_POLICY);
        }
        body = page.htmlBytes();
      }
      send(exchange, 503, body);
    }
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  /**
   * Stops accepting connections, lets requests in progress finish for up to {@code drain}, then
   * closes every connection.
   */
  public synchronized void stop(Duration drain) {
    if (stopped) {
      return;
    }
    stopped = true;
    server.stop((int) Math.min(Integer.MAX_VALUE, Math.max(0, drain.toSeconds())));
    workers.shutdown();
    try {
      workers.awaitTermination(Math.max(1, drain.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
  }

  @Override
  public void close() {
    stop(Duration.ZERO);
  }
}
