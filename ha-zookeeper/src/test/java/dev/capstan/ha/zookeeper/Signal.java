package dev.capstan.ha.zookeeper;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A monitor that callbacks poke, so a test waits for a condition without sleeping. */
final class Signal implements Runnable {
  private final Object lock = new Object();

  @Override
  public void run() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** Waits until {@code condition} holds, re-checking whenever poked (and every 50 ms), at most {@code limit}. */
  boolean await(BooleanSupplier condition, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // The periodic re-check covers changes that happen without a callback (e.g. a server coming back).
        lock.wait(Math.max(1, Math.min(50, left / 1_000_000)));
      }
      return true;
    }
  }
}
