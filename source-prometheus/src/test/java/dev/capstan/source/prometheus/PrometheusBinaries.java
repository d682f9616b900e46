package dev.capstan.source.prometheus;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the {@code prometheus} and {@code promtool} binaries on the {@code PATH}, or skips the
 * calling test with a clear message, or fails it when integration tests are required
 * ({@code -Dcapstan.it.required=true} or {@code CAPSTAN_IT_REQUIRED=true}, as {@code .ci/run} sets).
 */
final class PrometheusBinaries {
  private PrometheusBinaries() {}

  /** Returns the binary's path; skips or fails the test when it is not on the PATH. */
  static Path require(String name) {
    Optional<Path> found = find(name);
    if (found.isPresent()) {
      return found.get();
    }
    String message = "'" + name + "' is not on the PATH (" + System.getenv("PATH") + "); install the Debian package"
        + " 'prometheus' (apt-get install prometheus) to run the Prometheus integration tests";
    if (required()) {
      fail(message + ". They are required here (capstan.it.required / CAPSTAN_IT_REQUIRED is true).");
    }
    Assumptions.abort(message + ". Skipped; set -Dcapstan.it.required=true to make this a failure.");
    throw new AssertionError("unreachable");
  }

  static boolean required() {
    return isTrue(System.getProperty("capstan.it.required")) || isTrue(System.getenv("CAPSTAN_IT_REQUIRED"));
  }

  private static boolean isTrue(String value) {
    return value != null && value.strip().toLowerCase(Locale.ROOT).equals("true");
  }

  private static Optional<Path> find(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
