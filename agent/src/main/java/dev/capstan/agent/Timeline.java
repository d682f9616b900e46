package dev.capstan.agent;

import java.util.Arrays;

/**
 * What a simulation looked like minute by minute: the load, the capacity that took work, and the
 * group's desired size. Appended to while the simulation runs, read by the report. Not thread-safe.
 */
final class Timeline {
  private double[] demandMhz = new double[256];
  private double[] capacityMhz = new double[256];
  private long[] desired = new long[256];
  private int size;

  /** Appends one minute. */
  void add(double demand, double capacity, long desiredCount) {
    if (size == desired.length) {
      demandMhz = Arrays.copyOf(demandMhz, size * 2);
      capacityMhz = Arrays.copyOf(capacityMhz, size * 2);
      desired = Arrays.copyOf(desired, size * 2);
    }
    demandMhz[size] = demand;
    capacityMhz[size] = capacity;
    desired[size] = desiredCount;
    size++;
  }

  int size() {
    return size;
  }

  double demandMhz(int minute) {
    return demandMhz[check(minute)];
  }

  double capacityMhz(int minute) {
    return capacityMhz[check(minute)];
  }

  long desired(int minute) {
    return desired[check(minute)];
  }

  private int check(int minute) {
    if (minute < 0 || minute >= size) {
      throw new IndexOutOfBoundsException("minute " + minute + " is outside a timeline of " + size + " minutes");
    }
    return minute;
  }
}
