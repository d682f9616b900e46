package dev.capstan.engine;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Keeps each policy's {@link PolicyState} between evaluations, so a cooldown outlives a restart when
 * the store does. Implementations are thread-safe.
 *
 * <p>Besides the state the engine owns, a store keeps a few opaque entries per policy for other parts
 * of Capstan (for example the cluster scale-in flow's journal of nodes being drained): small JSON
 * documents under a key, read with {@link #get}, written with {@link #put}, dropped with {@link #remove}.
 * The store never parses them. Keys are chosen by their owner and should carry its name as a prefix,
 * e.g. {@code "scale-in.journal"}.
 */
public interface StateStore {

  /**
   * Returns a store that keeps everything in memory (the default): a restart forgets cooldowns.
   *
   * @return a new, empty store
   */
  static StateStore inMemory() {
    return new InMemoryStateStore();
  }

  /**
   * Returns a store that keeps one JSON file per policy in {@code directory}; see {@link FileStateStore}.
   *
   * @param directory where the files live; created when missing
   * @return a store over that directory
   * @throws java.io.UncheckedIOException if the directory cannot be created
   */
  static StateStore file(Path directory) {
    return FileStateStore.open(directory);
  }

  /**
   * Returns a policy's state.
   *
   * @param policyId the policy's id
   * @return its state, or {@link PolicyState#INITIAL} when none was saved
   */
  PolicyState load(String policyId);

  /**
   * Saves a policy's state, replacing what was there.
   *
   * @param policyId the policy's id
   * @param state the new state
   * @throws java.io.UncheckedIOException if a durable store could not write it; the old state is kept
   */
  void save(String policyId, PolicyState state);

  /**
   * Returns an opaque entry.
   *
   * @param policyId the policy's id
   * @param key the entry's key, prefixed with its owner's name
   * @return the JSON text last {@link #put}, or empty
   */
  Optional<String> get(String policyId, String key);

  /**
   * Stores an opaque entry, replacing any under the same key.
   *
   * @param policyId the policy's id
   * @param key the entry's key, prefixed with its owner's name
   * @param json the entry, a JSON document; the store keeps it as text
   * @throws java.io.UncheckedIOException if a durable store could not write it
   */
  void put(String policyId, String key, String json);

  /**
   * Removes an opaque entry; removing a missing one does nothing.
   *
   * @param policyId the policy's id
   * @param key the entry's key
   * @throws java.io.UncheckedIOException if a durable store could not write the change
   */
  void remove(String policyId, String key);
}
