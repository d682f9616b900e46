package dev.capstan.target.aws;

import dev.capstan.config.ConfigReader;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One Auto Scaling group bound from a policy's target block: the block was parsed and validated once,
 * here, and every call goes to the target that bound it with the parsed name. Immutable.
 */
final class AwsAsgGroup implements InstanceTargetGroup {
  private final AwsAsgTarget target;
  private final String name;
  private final String id;

  private AwsAsgGroup(AwsAsgTarget target, String name, String region) {
    this.target = target;
    this.name = name;
    this.id = AwsAsgTargetProvider.NAME + ":" + region + "/" + name;
  }

  /**
   * Parses a policy's target block: {@code aws_asg_name} is required, the cluster keys are left to
   * the scale-in flow, anything else is rejected (all unknown keys in one problem, the known keys
   * listed once). Makes no call.
   */
  static AwsAsgGroup bind(AwsAsgTarget target, String region, Map<String, String> config) {
    ConfigReader r = ConfigReader.of(config, "aws-asg policy target");
    String name = r.requiredString(AwsAsgTarget.GROUP_KEY);
    TreeSet<String> unknown = new TreeSet<>(config.keySet());
    unknown.remove(AwsAsgTarget.GROUP_KEY);
    unknown.removeAll(InstanceGroup.CLUSTER_KEYS);
    if (!unknown.isEmpty()) {
      TreeSet<String> known = new TreeSet<>(InstanceGroup.CLUSTER_KEYS);
      known.add(AwsAsgTarget.GROUP_KEY);
      r.problem("'" + String.join("', '", unknown) + "' " + (unknown.size() == 1 ? "is not a known key" : "are not known keys")
          + "; known keys are " + String.join(", ", known));
    }
    r.validate();
    return new AwsAsgGroup(target, name.strip(), region);
  }

  /** The group's name in AWS. */
  String name() {
    return name;
  }

  AwsAsgTarget target() {
    return target;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public TargetStatus status() {
    GroupStatus status = target.statusOf(List.of(this)).get(0);
    if (status.error().isPresent()) {
      throw status.error().get();
    }
    return status.status().orElseThrow();
  }

  @Override
  public void scale(ScalingAction action) {
    target.scale(this, action);
  }

  @Override
  public void terminate(List<String> instanceIds) {
    target.terminate(this, instanceIds);
  }

  @Override
  public Optional<List<String>> instanceIds() {
    return target.instanceIds(this);
  }

  @Override
  public String toString() {
    return id;
  }
}
