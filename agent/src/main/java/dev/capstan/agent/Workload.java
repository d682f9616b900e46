package dev.capstan.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic CPU demand for the simulated cluster: a daily cycle that peaks in the afternoon,
 * a slow random drift, and bursts (a batch of jobs) that arrive at random, ramp up, hold, and fade.
 *
 * <p>The demand is fixed per minute when the workload is generated, so the same seed and duration
 * give the same load whatever the policy does. Immutable.
 */
final class Workload {
  /** Demand at the quietest hour, in MHz. */
  static final double NIGHT_MHZ = 7_000;
  /** How much higher the afternoon peak of the daily cycle is, in MHz. */
  static final double DAILY_SWING_MHZ = 11_000;
  /** The hour (UTC) at which the daily cycle peaks. */
  static final double PEAK_HOUR = 14;
  /** Mean number of bursts per day. */
  static final double BURSTS_PER_DAY = 3;

  private final Instant start;
  private final double[] perMinute;
  private final List<Burst> bursts;

  /**
   * One burst of extra demand.
   *
   * @param start when it begins ramping up
   * @param length how long it lasts, ramps included
   * @param heightMhz the extra demand at its plateau
   */
  record Burst(Instant start, Duration length, double heightMhz) {}

  private Workload(Instant start, double[] perMinute, List<Burst> bursts) {
    this.start = start;
    this.perMinute = perMinute;
    this.bursts = List.copyOf(bursts);
  }

  /**
   * Generates the demand from {@code start} for {@code duration}.
   *
   * @throws IllegalArgumentException if {@code duration} is shorter than a minute
   */
  static Workload generate(long seed, Instant start, Duration duration) {
    long minutes = duration.toMinutes();
    if (minutes < 1 || minutes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("duration was " + duration + " but it must be at least 1m");
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] demand = new double[(int) minutes];
    double startHour = (start.getEpochSecond() % 86_400) / 3600.0;
    double drift = 0;
    for (int m = 0; m < demand.length; m++) {
      double hour = startHour + m / 60.0;
      // A raised cosine: 0 at night, 1 at the peak hour, smooth in between.
      double cycle = (1 + Math.cos(2 * Math.PI * (hour - PEAK_HOUR) / 24)) / 2;
      // A mean-reverting random walk, so neighbouring minutes look alike.
      drift = 0.95 * drift + random.nextDouble(-400, 400);
      demand[m] = Math.max(0, NIGHT_MHZ + DAILY_SWING_MHZ * cycle * cycle + drift);
    }
    List<Burst> bursts = new ArrayList<>();
    double meanGapMinutes = 24 * 60 / BURSTS_PER_DAY;
    double at = -Math.log(1 - random.nextDouble()) * meanGapMinutes;
    while (at < demand.length) {
      int length = random.nextInt(25, 150);
      double height = random.nextDouble(8_000, 30_000);
      int first = (int) at;
      bursts.add(new Burst(start.plus(Duration.ofMinutes(first)), Duration.ofMinutes(length), height));
      for (int k = 0; k < length && first + k < demand.length; k++) {
        demand[first + k] += height * shape(k, length);
      }
      at += -Math.log(1 - random.nextDouble()) * meanGapMinutes;
    }
    return new Workload(start, demand, bursts);
  }

  /** Ramps up over 5 minutes, holds, and fades over the last third. */
  private static double shape(int minute, int length) {
    double up = Math.min(1, (minute + 1) / 5.0);
    double fadeStart = length * 2 / 3.0;
    double down = minute < fadeStart ? 1 : Math.max(0, (length - minute) / (length - fadeStart));
    return Math.min(up, down);
  }

  /** Returns the demand at {@code t}, in MHz; outside the generated span it is the nearest minute's. */
  double demandMhz(Instant t) {
    long minute = Duration.between(start, t).toMinutes();
    int i = (int) Math.max(0, Math.min(perMinute.length - 1, minute));
    return perMinute[i];
  }

  /** Returns the bursts, in time order. */
  List<Burst> bursts() {
    return bursts;
  }

  /** Returns when the workload starts. */
  Instant start() {
    return start;
  }

  /** Returns how many minutes it spans. */
  int minutes() {
    return perMinute.length;
  }
}
