package dev.capstan.spi;

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
