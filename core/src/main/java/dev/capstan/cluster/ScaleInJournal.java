package dev.capstan.cluster;

import dev.capstan.engine.StateStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where {@link ClusterTarget} records each step of a scale-in before taking it, so that a crash
 * between drain and terminate is finished or rolled back on restart. Entries are opaque JSON text
 * keyed by group. A durable implementation (the agent's file-backed state store) survives restarts;
 * {@link #inMemory()} only survives within one process.
 */
public interface ScaleInJournal {

  /**
   * Reads an entry.
   *
   * @param key the group's key
   * @return the entry, empty when none
   */
  Optional<String> read(String key);

  /**
   * Writes or replaces an entry durably before returning.
   *
   * @param key the group's key
   * @param entry the entry
   */
  void write(String key, String entry);

  /**
   * Removes an entry; nothing happens if there is none.
   *
   * @param key the group's key
   */
  void remove(String key);

  /**
   * Returns a journal kept in an engine {@link StateStore}, so it is as durable as the store (the
   * agent's file-backed store survives restarts and crashes mid-write). Entries live under the
   * pseudo-policy {@value #STATE_STORE_OWNER}.
   *
   * @param store the state store
   * @return a journal over it
   */
  static ScaleInJournal in(StateStore store) {
    return new ScaleInJournal() {
      @Override
      public Optional<String> read(String key) {
        return store.get(STATE_STORE_OWNER, key);
      }

      @Override
      public void write(String key, String entry) {
        store.put(STATE_STORE_OWNER, key, entry);
      }

      @Override
      public void remove(String key) {
        store.remove(STATE_STORE_OWNER, key);
      }
    };
  }

  /** The pseudo-policy id under which {@link #in(StateStore)} keeps entries. */
  String STATE_STORE_OWNER = "capstan-cluster-scale-in";

  /**
   * Returns a journal kept in memory.
   *
   * @return a new, empty, thread-safe journal
   */
  static ScaleInJournal inMemory() {
    Map<String, String> entries = new ConcurrentHashMap<>();
    return new ScaleInJournal() {
      @Override
      public Optional<String> read(String key) {
        return Optional.ofNullable(entries.get(key));
      }

      @Override
      public void write(String key, String entry) {
        entries.put(key, entry);
      }

      @Override
      public void remove(String key) {
        entries.remove(key);
      }
    };
  }
}
