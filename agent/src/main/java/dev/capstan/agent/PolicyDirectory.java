package dev.capstan.agent;

import dev.capstan.policy.LoadedPolicies;
import dev.capstan.policy.Policies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A policy directory watched by polling: {@link #changed()} compares each file's size and modification
 * time with the last look. Polling, not a {@code WatchService}, because it behaves the same on every
 * file system (network mounts and container volumes included) and tests can drive it. Not thread-safe.
 */
final class PolicyDirectory {
  private final Path dir;
  private Map<String, String> seen = Map.of();

  PolicyDirectory(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  Path path() {
    return dir;
  }

  /** Parses every policy file in the directory and remembers what it saw. */
  LoadedPolicies load() {
    seen = fingerprint();
    return Policies.parseDirectory(dir);
  }

  /** Returns whether a file was added, removed or modified since the last {@link #load()}. */
  boolean changed() {
    return !fingerprint().equals(seen);
  }

  private Map<String, String> fingerprint() {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> listing = Files.list(dir)) {
      listing.forEach(p -> {
        try {
          files.put(p.getFileName().toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
        } catch (IOException e) {
          files.put(p.getFileName().toString(), "unreadable");
        }
      });
    } catch (IOException e) {
      files.put("", "directory unreadable: " + e.getMessage());
    }
    return files;
  }
}
