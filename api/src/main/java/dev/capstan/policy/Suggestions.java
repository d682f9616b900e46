package dev.capstan.policy;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/** Finds the known name a typo most likely meant, so {@code evalution_interval} gets a hint. */
final class Suggestions {
  /** Farther than this many edits, a name is a different word rather than a typo. */
  private static final int MAX_EDITS = 2;

  private Suggestions() {}

  /** Returns the closest known name within {@link #MAX_EDITS} edits, or {@code null}. */
  static @Nullable String closest(String typo, Collection<String> known) {
    String best = null;
    int bestDistance = MAX_EDITS + 1;
    for (String candidate : known.stream().sorted().toList()) {
      int d = distance(typo, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance with two rolling rows. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
