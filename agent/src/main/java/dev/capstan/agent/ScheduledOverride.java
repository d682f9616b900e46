package dev.capstan.agent;

import dev.capstan.config.Durations;
import dev.capstan.engine.OperatorOverride;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * An operator's override that a backtest sets at a moment of the replayed history ({@code capstan backtest
 * --override KIND[:COUNT]@FROM[/FOR]}), so a runbook step ("stop scale-in during the incident", "hold at 10
 * over the weekend") can be tried on past traffic: from the first evaluation at or after {@code from}, the
 * engine has {@code override} (its {@code until}, if any, is {@code from + FOR}).
 *
 * @param spec the text it was read from, for messages and the report
 * @param from when it is set
 * @param override what is set, by author {@code backtest}
 */
record ScheduledOverride(String spec, Instant from, OperatorOverride override) {
  private static final String FORM = "KIND[:COUNT]@FROM[/FOR], e.g. pause_scale_in@2026-05-01T10:00:00Z/2h or "
      + "hold:10@2026-05-01T18:00:00Z/63h, where KIND is pause, pause_scale_in, pause_scale_out or hold";

  ScheduledOverride {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(override, "override");
  }

  /**
   * Reads {@code KIND[:COUNT]@FROM[/FOR]}: a count only (and always) for {@code hold}, {@code FROM} an
   * ISO-8601 instant, {@code FOR} a positive duration (without it, the override lasts to the end).
   *
   * @param spec the option's value
   * @return the scheduled override
   * @throws BacktestException naming {@code --override}, the value and the part that is wrong
   */
  static ScheduledOverride parse(String spec) {
    int at = spec.indexOf('@');
    if (at <= 0 || at == spec.length() - 1) {
      throw bad(spec, "it must read " + FORM);
    }
    String what = spec.substring(0, at).strip();
    String when = spec.substring(at + 1).strip();
    int colon = what.indexOf(':');
    String kindText = colon < 0 ? what : what.substring(0, colon);
    OperatorOverride.Kind kind;
    try {
      kind = OperatorOverride.Kind.valueOf(kindText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad(spec, "its kind '" + kindText + "' must be pause, pause_scale_in, pause_scale_out or hold");
    }
    OperatorOverride override;
    if (kind == OperatorOverride.Kind.HOLD) {
      if (colon < 0) {
        throw bad(spec, "hold needs a count: hold:COUNT@FROM[/FOR], e.g. hold:10@2026-05-01T18:00:00Z/63h");
      }
      long count;
      try {
        count = Long.parseLong(what.substring(colon + 1).strip());
      } catch (NumberFormatException e) {
        count = -1;
      }
      if (count < 0) {
        throw bad(spec, "its count '" + what.substring(colon + 1) + "' must be a whole number of at least 0");
      }
      override = OperatorOverride.hold(count);
    } else if (colon >= 0) {
      throw bad(spec, "only hold takes a count, not " + kind.jsonName());
    } else {
      override = OperatorOverride.of(kind);
    }
    int slash = when.indexOf('/');
    String fromText = slash < 0 ? when : when.substring(0, slash);
    Instant from;
    try {
      from = Instant.parse(fromText.strip());
    } catch (DateTimeException e) {
      throw bad(spec, "its start '" + fromText + "' must be an ISO-8601 instant such as 2026-05-01T10:00:00Z");
    }
    if (slash >= 0) {
      Duration lasting;
      try {
        lasting = Durations.parse(when.substring(slash + 1).strip());
      } catch (IllegalArgumentException e) {
        throw bad(spec, "its length '" + when.substring(slash + 1) + "' must be a duration such as 2h: "
            + e.getMessage());
      }
      if (lasting.isZero() || lasting.isNegative()) {
        throw bad(spec, "its length '" + when.substring(slash + 1) + "' must be positive");
      }
      override = override.endingAt(from.plus(lasting));
    }
    return new ScheduledOverride(spec, from, override.withAuthor("backtest").withReason("--override " + spec));
  }

  private static BacktestException bad(String spec, String rule) {
    return new BacktestException("--override was '" + spec + "' but " + rule);
  }
}
