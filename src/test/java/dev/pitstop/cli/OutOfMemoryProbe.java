package dev.pitstop.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A process that runs out of memory the way a step could: in the main thread, in another thread, or
 * inside a pool task whose failure reaches the command as a wrapped cause. Started by {@link
 * OutOfMemoryTest} with a small heap.
 */
public final class OutOfMemoryProbe {
  private OutOfMemoryProbe() {}

  public static void main(String[] args) throws Exception {
    OutOfMemory.install();
    switch (args[0]) {
      case "main" -> exhaust();
      case "thread" -> {
        Thread thread = new Thread(OutOfMemoryProbe::exhaust, "worker");
        thread.start();
        thread.join();
      }
      case "wrapped" -> {
        try {
          java.util.concurrent.CompletableFuture.runAsync(OutOfMemoryProbe::exhaust).get();
        } catch (java.util.concurrent.ExecutionException e) {
          OutOfMemory.haltIfCausedBy(new RuntimeException("listing failed", e));
        }
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
    // reached only if nothing halted
    System.exit(0);
  }

  private static void exhaust() {
    List<long[]> hog = new ArrayList<>();
    while (true) {
      hog.add(new long[1 << 20]);
    }
  }
}
