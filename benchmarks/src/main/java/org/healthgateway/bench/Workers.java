package org.healthgateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A fixed number of worker threads pulling items from a list, with progress on stderr. */
final class Workers {

  private static final long PROGRESS_MILLIS = 2000;

  private Workers() {}

  @FunctionalInterface
  interface Task<T> {
    void run(T item) throws Exception;
  }

  static <T> void run(List<T> items, int concurrency, PhaseStats stats, Task<T> task)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      Thread t =
          new Thread(
              () -> {
                for (int i = next.getAndIncrement(); i < items.size(); i = next.getAndIncrement()) {
                  try {
                    task.run(items.get(i));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  } catch (Exception e) {
                    stats.error(0, items.get(i) + " -> " + e);
                  }
                }
              },
              "driver-" + stats.name + "-" + w);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      while (t.isAlive()) {
        t.join(PROGRESS_MILLIS);
        if (t.isAlive()) {
          progress(stats);
        }
      }
    }
    stats.finish();
    progress(stats);
  }

  static void progress(PhaseStats stats) {
    System.err.printf(
        "[%s] %d/%d done, %.1f ops/s, %d errors, %.1f s%n",
        stats.name,
        stats.operations(),
        stats.planned,
        stats.operations() / stats.seconds(),
        stats.errors(),
        stats.seconds());
  }
}
