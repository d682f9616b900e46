package dev.capstan.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A {@link StateStore} that keeps one small JSON file per policy, so a restarted agent resumes the
 * remaining cooldown.
 *
 * <p>Every change rewrites the policy's file {@code <policy id>.json}: the new content is written to
 * a temporary file in the same directory, forced to disk, then moved over the old file with
 * {@link StandardCopyOption#ATOMIC_MOVE}. A crash mid-write leaves the old file intact and at worst
 * a {@code *.tmp} file, which is never read. Files are read once, on first use, then served from
 * memory; one process owns a directory at a time. A file that cannot be parsed is reported (the
 * evaluation fails naming it) rather than silently forgotten, because forgetting would also forget a
 * cooldown.
 */
public final class FileStateStore implements StateStore {
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  /** What one file holds; guarded by its own monitor. */
  private static final class Entry {
    PolicyState state = PolicyState.INITIAL;
    Map<String, String> extra = new LinkedHashMap<>();
  }

  private FileStateStore(Path directory) {
    this.directory = directory;
  }

  /**
   * Opens a store over {@code directory}, creating it when missing.
   *
   * @param directory where the files live
   * @return the store
   * @throws UncheckedIOException if the directory cannot be created
   */
  public static FileStateStore open(Path directory) {
    Objects.requireNonNull(directory, "directory");
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state directory " + directory + ": " + e.getMessage(), e);
    }
    return new FileStateStore(directory);
  }

  /**
   * Returns the directory this store writes to.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * {@inheritDoc}
   *
   * @throws UncheckedIOException if the policy's file exists but cannot be read or parsed
   */
  @Override
  public PolicyState load(String policyId) {
    Entry entry = entry(policyId);
    synchronized (entry) {
      return entry.state;
    }
  }

  @Override
  public void save(String policyId, PolicyState state) {
    Objects.requireNonNull(state, "state");
    Entry entry = entry(policyId);
    synchronized (entry) {
      write(policyId, state, entry.extra);
      entry.state = state;
    }
  }

  @Override
  public Optional<String> get(String policyId, String key) {
    Entry entry = entry(policyId);
    synchronized (entry) {
      return Optional.ofNullable(entry.extra.get(key));
    }
  }

  @Override
  public void put(String policyId, String key, String json) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(json, "json");
    Entry entry = entry(policyId);
    synchronized (entry) {
      Map<String, String> extra = new LinkedHashMap<>(entry.extra);
      extra.put(key, json);
      write(policyId, entry.state, extra);
      entry.extra = extra;
    }
  }

  @Override
  public void remove(String policyId, String key) {
    Entry entry = entry(policyId);
    synchronized (entry) {
      if (!entry.extra.containsKey(key)) {
        return;
      }
      Map<String, String> extra = new LinkedHashMap<>(entry.extra);
      extra.remove(key);
      write(policyId, entry.state, extra);
      entry.extra = extra;
    }
  }

  private Entry entry(String policyId) {
    Entry entry = cache.get(policyId);
    if (entry == null) {
      // Read outside computeIfAbsent so an I/O error is not swallowed into the map's state.
      Entry read = read(policyId);
      Entry raced = cache.putIfAbsent(policyId, read);
      entry = raced != null ? raced : read;
    }
    return entry;
  }

  /** Returns the file of a policy; ids that are not plain file names are hex-encoded. */
  Path fileOf(String policyId) {
    String name = SAFE_ID.matcher(policyId).matches()
        ? policyId
        : "x-" + HexFormat.of().formatHex(policyId.getBytes(StandardCharsets.UTF_8));
    return directory.resolve(name + ".json");
  }

  private Entry read(String policyId) {
    Path file = fileOf(policyId);
    Entry entry = new Entry();
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return entry;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy state " + file + ": " + e.getMessage()
          + " (delete the file to forget this policy's cooldown)", e);
    }
    try {
      entry.state = PolicyStateJson.read(root);
      for (Map.Entry<String, JsonNode> e : root.path("entries").properties()) {
        entry.extra.put(e.getKey(), e.getValue().asText());
      }
      return entry;
    } catch (RuntimeException e) {
      throw new UncheckedIOException("policy state " + file + " is not valid: " + e.getMessage()
          + " (delete the file to forget this policy's cooldown)", new IOException(e));
    }
  }

  /**
   * Forces the rename to disk: until the directory entry is, a power loss may bring back the old
   * file, forgetting a cooldown or a scale-in journal step already acted on.
   */
  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory (its renames are durable already), some file systems refuse
      // to sync one; the new file is written either way.
    }
  }

  private void write(String policyId, PolicyState state, Map<String, String> extra) {
    ObjectNode root = JSON.createObjectNode();
    root.put("policyId", policyId);
    PolicyStateJson.write(state, root);
    ObjectNode entries = root.putObject("entries");
    extra.forEach(entries::put);
    Path file = fileOf(policyId);
    Path temp = null;
    try {
      byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
      temp = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + directory + " cannot rename atomically", e);
      }
      temp = null;
      forceDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write policy state " + file + ": " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // A leftover temp file is harmless: it is never read.
        }
      }
    }
  }
}
