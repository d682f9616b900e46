package dev.capstan.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a policy with a {@link dev.capstan.policy.Behavior behavior} remembers between evaluations:
 * its recent recommendations (for the stabilization windows) and its own recent scale events (for
 * the rate limits), as Kubernetes' HPA controller keeps them in memory — here in the policy's state,
 * so a restart keeps them.
 *
 * <p>Bounded: an entry is dropped once it is older than the longest window or period (it can never
 * count again), a recommendation also once a later one is both no higher and no lower than it (the
 * later one stays in every window at least as long, so no minimum or maximum changes), and each
 * list keeps at most {@value #MAX_ENTRIES} entries, the oldest dropped first.
 *
 * @param recommendations merged recommendations with their times, oldest first
 * @param scaleUps the policy's own scale-ups (change, time), oldest first
 * @param scaleDowns the policy's own scale-downs (change as a positive number, time), oldest first
 */
public record BehaviorHistory(List<Recommendation> recommendations, List<ScaleEvent> scaleUps,
    List<ScaleEvent> scaleDowns) {

  /** The most entries each list keeps. */
  public static final int MAX_ENTRIES = 1000;

  /** The history of a policy that never evaluated with a behaviour. */
  public static final BehaviorHistory EMPTY = new BehaviorHistory(List.of(), List.of(), List.of());

  /**
   * Copies the lists and checks for nulls.
   *
   * @param recommendations merged recommendations, oldest first
   * @param scaleUps the policy's own scale-ups, oldest first
   * @param scaleDowns the policy's own scale-downs, oldest first
   * @throws NullPointerException if a list or an entry is null
   */
  public BehaviorHistory {
    recommendations = List.copyOf(recommendations);
    scaleUps = List.copyOf(scaleUps);
    scaleDowns = List.copyOf(scaleDowns);
  }

  /**
   * One recommendation: the count the checks asked for, before any limit.
   *
   * @param count the recommended count
   * @param at when it was made
   */
  public record Recommendation(long count, Instant at) {
    /**
     * Checks for nulls.
     *
     * @param count the recommended count
     * @param at when it was made
     * @throws NullPointerException if {@code at} is null
     */
    public Recommendation {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * One scale event of the policy's own.
   *
   * @param change how many instances were added (in {@link #scaleUps()}) or removed (in {@link #scaleDowns()})
   * @param at when the scale was decided
   */
  public record ScaleEvent(long change, Instant at) {
    /**
     * Checks for nulls.
     *
     * @param change how many instances were added or removed
     * @param at when the scale was decided
     * @throws NullPointerException if {@code at} is null
     */
    public ScaleEvent {
      Objects.requireNonNull(at, "at");
    }
  }

  /** Kubernetes' {@code recordInitialRecommendation}: the first evaluation records the current count. */
  BehaviorHistory started(long current, Instant now) {
    return recommendations.isEmpty()
        ? new BehaviorHistory(List.of(new Recommendation(current, now)), scaleUps, scaleDowns) : this;
  }

  /** Records {@code count} at {@code now}, dropping what can no longer change a window of at most {@code keep}. */
  BehaviorHistory recorded(long count, Instant now, Duration keep) {
    Instant cutoff = now.minus(keep);
    List<Recommendation> kept = new ArrayList<>(recommendations.size() + 1);
    long laterMin = count;
    long laterMax = count;
    // Newest first, so each entry is compared with every later one (the new one included).
    for (int i = recommendations.size() - 1; i >= 0; i--) {
      Recommendation r = recommendations.get(i);
      if (!r.at().isAfter(cutoff)) {
        break;
      }
      if (r.count() < laterMin || r.count() > laterMax) {
        kept.add(r);
      }
      laterMin = Math.min(laterMin, r.count());
      laterMax = Math.max(laterMax, r.count());
    }
    List<Recommendation> next = new ArrayList<>(Math.min(kept.size(), MAX_ENTRIES - 1) + 1);
    for (int i = Math.min(kept.size(), MAX_ENTRIES - 1) - 1; i >= 0; i--) {
      next.add(kept.get(i));
    }
    next.add(new Recommendation(count, now));
    return new BehaviorHistory(next, scaleUps, scaleDowns);
  }

  /** Records a scale of the policy's own from {@code from} to {@code to}, keeping events newer than {@code keep}. */
  BehaviorHistory scaled(long from, long to, Instant now, Duration keep) {
    Instant cutoff = now.minus(keep);
    List<ScaleEvent> ups = pruned(scaleUps, cutoff, to > from ? new ScaleEvent(to - from, now) : null);
    List<ScaleEvent> downs = pruned(scaleDowns, cutoff, to < from ? new ScaleEvent(from - to, now) : null);
    return new BehaviorHistory(recommendations, ups, downs);
  }

  /** Returns this history without the scale events made at {@code at} (a scale the target refused). */
  BehaviorHistory withoutEventsAt(Instant at) {
    List<ScaleEvent> ups = new ArrayList<>(scaleUps);
    List<ScaleEvent> downs = new ArrayList<>(scaleDowns);
    ups.removeIf(e -> e.at().equals(at));
    downs.removeIf(e -> e.at().equals(at));
    return new BehaviorHistory(recommendations, ups, downs);
  }

  /** Kubernetes' {@code getReplicasChangePerPeriod}: the change of the events strictly after {@code cutoff}. */
  static long changeAfter(List<ScaleEvent> events, Instant cutoff) {
    long sum = 0;
    for (int i = 0; i < events.size(); i++) {
      ScaleEvent e = events.get(i);
      if (e.at().isAfter(cutoff)) {
        sum += e.change();
      }
    }
    return sum;
  }

  private static List<ScaleEvent> pruned(List<ScaleEvent> events, Instant cutoff, ScaleEvent added) {
    List<ScaleEvent> next = new ArrayList<>(events.size() + 1);
    for (ScaleEvent e : events) {
      if (e.at().isAfter(cutoff)) {
        next.add(e);
      }
    }
    if (added != null) {
      next.add(added);
    }
    return next.size() > MAX_ENTRIES ? next.subList(next.size() - MAX_ENTRIES, next.size()) : next;
  }
}
