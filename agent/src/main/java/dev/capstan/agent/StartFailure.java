package dev.capstan.agent;

import dev.capstan.internal.IoReasons;
import dev.capstan.policy.PolicyException;
import dev.capstan.spi.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Says in one line why the agent could not start: the failure's message, and its cause's when that adds one. */
final class StartFailure {
  private StartFailure() {}

  /**
   * Returns the message of {@code e}; for failures that are not Capstan's own (an unexpected
   * exception of a library), its kind and the chain of causes' messages, so the line still says why.
   */
  static String describe(Throwable e) {
    if (e instanceof ConfigException || e instanceof PolicyException || e instanceof IOException
        && e.getMessage() != null && e.getCause() == null || e instanceof StateDirLock.LockedException) {
      return e.getMessage();
    }
    StringBuilder b = new StringBuilder();
    Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    String first = t instanceof IOException ? IoReasons.of(t) : t.getMessage();
    b.append(first == null || first.isBlank() ? t.getClass().getSimpleName() : first);
    for (Throwable cause = t.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      if (cause instanceof UncheckedIOException) {
        // Only a wrapper: its cause says it better.
        continue;
      }
      String m = cause instanceof IOException ? IoReasons.of(cause) : cause.getMessage();
      if (m != null && !m.isBlank() && !b.toString().contains(m)) {
        b.append(": ").append(m);
      }
    }
    return b.toString();
  }
}
