package dev.capstan.strategy;

import dev.capstan.spi.Direction;

/** The shared wording of reasons, kept in nomad-autoscaler's form: {@code "scaling up because ..."}. */
final class Reasons {
  static final String NO_METRICS = "no change because there are no metrics";

  private Reasons() {}

  /** Returns {@code "scaling up|down because <why>"}, or {@code "no change because <why>"}. */
  static String of(long count, long desired, String why) {
    return switch (Direction.of(count, desired)) {
      case UP -> "scaling up because " + why;
      case DOWN -> "scaling down because " + why;
      case NONE -> "no change because " + why;
    };
  }
}
