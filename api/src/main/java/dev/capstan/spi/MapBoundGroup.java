package dev.capstan.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@link Target#bind}'s default returns for a target written against the first SPI: each call
 * passes the policy's map to the target's map-taking method, as before.
 */
class MapBoundGroup implements TargetGroup {
  final Target target;
  final Map<String, String> config;
  private final String id;

  MapBoundGroup(Target target, Map<String, String> config) {
    this.target = target;
    this.config = Map.copyOf(config);
    // Attributes of the cluster flow do not name the group: editing one must keep the identity.
    TreeMap<String, String> naming = new TreeMap<>(this.config);
    naming.keySet().removeAll(InstanceGroup.CLUSTER_KEYS);
    this.id = target.getClass().getName() + ":" + naming;
  }

  static TargetGroup of(Target target, Map<String, String> config) {
    return target instanceof InstanceGroup ? new Instances(target, config) : new MapBoundGroup(target, config);
  }

  /** Whether a target class overrides {@link Target#statusAll}, i.e. batches the first SPI's reads. */
  private static final ClassValue<Boolean> BATCHES = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      try {
        return type.getMethod("statusAll", List.class).getDeclaringClass() != Target.class;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }
  };

  /**
   * {@link Target#statusOf}'s default: groups of a target that batches through {@code statusAll} (a
   * target written against the first SPI) are read with one {@code statusAll}, so its batching is
   * kept; if that call fails, each group is read on its own, so one bad group fails only itself.
   */
  static List<GroupStatus> statusOf(Target target, List<? extends TargetGroup> groups) {
    if (groups.size() > 1 && BATCHES.get(target.getClass()) && allBoundBy(target, groups)) {
      List<Map<String, String>> configs = new ArrayList<>(groups.size());
      groups.forEach(g -> configs.add(((MapBoundGroup) g).config));
      try {
        List<TargetStatus> read = target.statusAll(configs);
        if (read.size() == groups.size()) {
          return read.stream().map(GroupStatus::of).toList();
        }
      } catch (RuntimeException e) {
        // Fall through: which group failed is only known by reading each on its own.
      }
    }
    List<GroupStatus> statuses = new ArrayList<>(groups.size());
    for (TargetGroup group : groups) {
      try {
        statuses.add(GroupStatus.of(group.status()));
      } catch (RuntimeException e) {
        statuses.add(GroupStatus.failed(e));
      }
    }
    return statuses;
  }

  private static boolean allBoundBy(Target target, List<? extends TargetGroup> groups) {
    for (TargetGroup group : groups) {
      if (!(group instanceof MapBoundGroup bound) || bound.target != target) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public TargetStatus status() {
    return target.status(config);
  }

  @Override
  public void scale(ScalingAction action) {
    target.scale(action, config);
  }

  @Override
  public String toString() {
    return id;
  }

  /** The same for a target that can also remove chosen instances. */
  static final class Instances extends MapBoundGroup implements InstanceTargetGroup {
    Instances(Target target, Map<String, String> config) {
      super(target, config);
    }

    @Override
    public void terminate(List<String> instanceIds) {
      ((InstanceGroup) target).terminate(config, instanceIds);
    }

    @Override
    public Optional<List<String>> instanceIds() {
      return ((InstanceGroup) target).instanceIds(config);
    }
  }
}
