package dev.capstan.agent;

import com.google.auto.service.AutoService;
import dev.capstan.cluster.NodePool;
import dev.capstan.cluster.NodePoolProvider;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetProvider;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.InMemoryNodePool;
import dev.capstan.testkit.InMemoryTarget;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plug-ins an agent file can name in tests. The agent creates them by name through
 * {@link java.util.ServiceLoader}; {@code config = { id = "..." }} picks the in-memory instance a
 * test registered here, so the test can inspect what the agent did to it.
 */
final class InMemoryPlugins {
  private static final Map<String, InMemoryTarget> TARGETS = new ConcurrentHashMap<>();
  private static final Map<String, InMemoryNodePool> POOLS = new ConcurrentHashMap<>();
  /** How often a provider handed out each id: a reload that keeps a plug-in does not ask again. */
  private static final Map<String, Integer> CREATED = new ConcurrentHashMap<>();

  private InMemoryPlugins() {}

  static void register(String id, InMemoryTarget target) {
    TARGETS.put(id, target);
  }

  static void register(String id, InMemoryNodePool pool) {
    POOLS.put(id, pool);
  }

  /** Returns how many times a provider created a plug-in from {@code config = { id = "<id>" }}. */
  static int created(String id) {
    return CREATED.getOrDefault(id, 0);
  }

  private static <T> T lookUp(Map<String, T> registered, Map<String, String> config, String kind) {
    T found = registered.get(config.getOrDefault("id", ""));
    if (found == null) {
      throw new ConfigException("id was '" + config.get("id") + "' but it must name a registered " + kind);
    }
    CREATED.merge(config.get("id"), 1, Integer::sum);
    return found;
  }

  /** Target {@code in-memory}: a registered {@link InMemoryTarget}, which is an instance group. */
  @AutoService(TargetProvider.class)
  public static final class InMemoryTargetProvider implements TargetProvider {
    @Override
    public String name() {
      return "in-memory";
    }

    @Override
    public Target create(Map<String, String> config) {
      return lookUp(TARGETS, config, "in-memory target");
    }
  }

  /**
   * Target {@code in-memory-resize-only}: a registered {@link InMemoryTarget} seen only as a
   * {@link Target}, like a cloud that can set a group's size but not remove chosen instances.
   */
  @AutoService(TargetProvider.class)
  public static final class ResizeOnlyTargetProvider implements TargetProvider {
    @Override
    public String name() {
      return "in-memory-resize-only";
    }

    @Override
    public Target create(Map<String, String> config) {
      InMemoryTarget target = lookUp(TARGETS, config, "in-memory target");
      return new Target() {
        @Override
        public TargetStatus status(Map<String, String> policyTargetConfig) {
          return target.status(policyTargetConfig);
        }

        @Override
        public void scale(ScalingAction action, Map<String, String> policyTargetConfig) {
          target.scale(action, policyTargetConfig);
        }

        @Override
        public void close() {
          target.close();
        }
      };
    }
  }

  /** Node pool {@code in-memory}: a registered {@link InMemoryNodePool}. */
  @AutoService(NodePoolProvider.class)
  public static final class InMemoryNodePoolProvider implements NodePoolProvider {
    @Override
    public String name() {
      return "in-memory";
    }

    @Override
    public NodePool create(Map<String, String> config) {
      return lookUp(POOLS, config, "in-memory node pool");
    }
  }
}
