package dev.pitstop.kube;

/**
 * Stops the JDK HTTP client's selector threads before the process exits.
 *
 * <p>On Java 17 an {@code HttpClient} cannot be shut down: its selector thread waits in a native
 * {@code epoll_wait} until the client is garbage-collected. The JVM's exit waits up to 300 ms for
 * any thread that is in native code, so every step would end 0.3 s late. Interrupting the selector
 * wakes it and it closes its connections and ends. Call only when no request is in flight any more,
 * i.e. just before {@code System.exit}.
 */
public final class HttpSelectors {
  private static final String SUFFIX = "-SelectorManager";

  private HttpSelectors() {}

  /** Interrupts every idle JDK HTTP client selector thread and waits briefly for it to end. */
  public static void stop() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() + 8];
    int count = root.enumerate(threads, true);
    for (int i = 0; i < count; i++) {
      Thread thread = threads[i];
      if (thread.getName().startsWith("HttpClient-") && thread.getName().endsWith(SUFFIX)) {
        thread.interrupt();
        try {
          thread.join(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
