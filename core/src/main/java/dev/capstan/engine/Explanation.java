package dev.capstan.engine;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A strategy's own account of its vote ({@link dev.capstan.spi.Strategy#explain}), built only when
 * someone reads it: the hot path decides with {@code desiredCount} and formats nothing. Thread-safe;
 * equal when the texts are equal.
 */
public final class Explanation {
  private static final Explanation NONE = new Explanation(() -> "");

  private Supplier<String> source;
  private volatile String text;

  private Explanation(Supplier<String> source) {
    this.source = source;
  }

  /**
   * Returns an explanation computed by {@code source} on first read.
   *
   * @param source builds the text; a failure becomes a text naming it
   * @return a new explanation
   */
  public static Explanation of(Supplier<String> source) {
    return new Explanation(Objects.requireNonNull(source, "source"));
  }

  /**
   * Returns the empty explanation, for failed checks.
   *
   * @return the shared empty explanation
   */
  public static Explanation none() {
    return NONE;
  }

  /**
   * Returns the text, computing it once.
   *
   * @return the strategy's reason; empty when there is none
   */
  public String text() {
    String t = text;
    if (t == null) {
      synchronized (this) {
        t = text;
        if (t == null) {
          try {
            t = Objects.requireNonNullElse(source.get(), "");
          } catch (RuntimeException e) {
            // A strategy whose explain fails has still voted; the decision says why the text is missing.
            t = "(explain failed: " + e + ")";
          }
          text = t;
          source = null;
        }
      }
    }
    return t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Explanation other && text().equals(other.text());
  }

  @Override
  public int hashCode() {
    return text().hashCode();
  }

  @Override
  public String toString() {
    return text();
  }
}
