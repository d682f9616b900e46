package dev.capstan.engine;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The default {@link StateStore}: concurrent maps, forgotten on restart. */
final class InMemoryStateStore implements StateStore {
  private final Map<String, PolicyState> states = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> entries = new ConcurrentHashMap<>();

  @Override
  public PolicyState load(String policyId) {
    return states.getOrDefault(policyId, PolicyState.INITIAL);
  }

  @Override
  public void save(String policyId, PolicyState state) {
    states.put(policyId, Objects.requireNonNull(state, "state"));
  }

  @Override
  public Optional<String> get(String policyId, String key) {
    return Optional.ofNullable(entries.getOrDefault(policyId, Map.of()).get(key));
  }

  @Override
  public void put(String policyId, String key, String json) {
    entries.computeIfAbsent(policyId, id -> new ConcurrentHashMap<>()).put(key, Objects.requireNonNull(json, "json"));
  }

  @Override
  public void remove(String policyId, String key) {
    Map<String, String> forPolicy = entries.get(policyId);
    if (forPolicy != null) {
      forPolicy.remove(key);
    }
  }
}
