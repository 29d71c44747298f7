package dev.pitstop.demo;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The in-memory server's CRUD dispatcher, with watches that close off the server's event loop, and
 * the server's {@code expect()} answers served before the stored objects (as fabric8's own mixed
 * dispatcher does).
 *
 * <p>When a watch's WebSocket closes, fabric8's mock server waits on its event-loop thread for the
 * watch's sender to finish; a send still in flight needs that same thread to complete its write, so
 * the two wait for each other until the send gives up after about five seconds, and meanwhile the
 * whole server answers nothing. Every client that closes a watch while events are flowing (a
 * finished scale-down, a stopped process) could stall everyone else's requests. Here a closed watch
 * is first taken off the set of watches that receive events (on the event loop, so no new send is
 * queued for it), then the rest of the closing runs on a thread of its own while the event loop
 * keeps serving.
 */
final class WatchClosingDispatcher extends KubernetesCrudDispatcher {
  private static final ExecutorService CLOSER =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "watch-closer");
            t.setDaemon(true);
            return t;
          });

  /** The dispatcher's own set of open watches (a concurrent set), which it sends events to. */
  private final Set<?> watches = watchesOf(this);

  /** Canned answers set with the server's {@code expect()}: they win over the stored objects. */
  private final Map<ServerRequest, Queue<ServerResponse>> expectations;

  private final MockDispatcher expected;

  WatchClosingDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations) {
    this.expectations = expectations;
    this.expected = new MockDispatcher(expectations);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Queue<ServerResponse> canned =
        expectations.get(
            new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
    return canned != null && !canned.isEmpty()
        ? expected.dispatch(request)
        : super.dispatch(request);
  }

  @Override
  public MockResponse handleWatch(String path) {
    MockResponse response = super.handleWatch(path);
    return response.withWebSocketUpgrade(new ClosingElsewhere(response.getWebSocketListener()));
  }

  private static Set<?> watchesOf(KubernetesCrudDispatcher dispatcher) {
    try {
      Field field = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
      field.setAccessible(true);
      return (Set<?>) field.get(dispatcher);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "this version of fabric8's mock server keeps its watches elsewhere", e);
    }
  }

  private final class ClosingElsewhere extends WebSocketListener {
    private final WebSocketListener watch;

    ClosingElsewhere(WebSocketListener watch) {
      this.watch = watch;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      watch.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      watch.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      watch.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      watch.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      watch.onMessage(webSocket, bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
      watch.onPing(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      watch.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      closeElsewhere(() -> watch.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
      closeElsewhere(() -> watch.onFailure(webSocket, failure, response));
    }

    /** No event is queued for the watch from now on; its sender is waited for off the loop. */
    private void closeElsewhere(Runnable close) {
      watches.remove(watch);
      CLOSER.execute(close);
    }
  }
}
