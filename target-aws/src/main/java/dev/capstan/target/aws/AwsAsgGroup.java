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
  /** The policy key that overrides the agent's {@code scale_in_protection}. */
  static final String SCALE_IN_PROTECTION = "scale_in_protection";
  /** The policy key that makes readiness depend on the group's {@code Status} alone (the peer's). */
  static final String IGNORE_ASG_EVENTS = "ignore_asg_events";
  private static final List<String> OWN_KEYS = List.of(AwsAsgTarget.GROUP_KEY, SCALE_IN_PROTECTION, IGNORE_ASG_EVENTS);

  private final String name;
  private final String id;
  private final Optional<Boolean> scaleInProtection;
  private final boolean ignoreAsgEvents;

  private AwsAsgGroup(AwsAsgTarget target, String name, String region, Optional<Boolean> scaleInProtection,
      boolean ignoreAsgEvents) {
    this.target = target;
    this.name = name;
    this.id = AwsAsgTargetProvider.NAME + ":" + region + "/" + name;
    this.scaleInProtection = scaleInProtection;
    this.ignoreAsgEvents = ignoreAsgEvents;
  }

  /**
   * Parses a policy's target block: {@code aws_asg_name} is required; {@code scale_in_protection}
   * (a boolean, overriding the agent's) and {@code ignore_asg_events} (a boolean, default false) are
   * the peer's; the cluster keys are left to the scale-in flow; anything else is rejected (all unknown
   * keys in one problem, the known keys listed once). Makes no call.
   */
  static AwsAsgGroup bind(AwsAsgTarget target, String region, Map<String, String> config) {
    ConfigReader r = ConfigReader.of(config, "aws-asg policy target");
    String name = r.requiredString(AwsAsgTarget.GROUP_KEY);
    Optional<Boolean> protection = config.containsKey(SCALE_IN_PROTECTION)
        ? Optional.of(r.booleanValue(SCALE_IN_PROTECTION, true)) : Optional.empty();
    boolean ignoreEvents = r.booleanValue(IGNORE_ASG_EVENTS, false);
    TreeSet<String> unknown = new TreeSet<>(config.keySet());
    unknown.removeAll(OWN_KEYS);
    unknown.removeAll(InstanceGroup.CLUSTER_KEYS);
    if (!unknown.isEmpty()) {
      TreeSet<String> known = new TreeSet<>(InstanceGroup.CLUSTER_KEYS);
      known.addAll(OWN_KEYS);
      r.problem("'" + String.join("', '", unknown) + "' " + (unknown.size() == 1 ? "is not a known key" : "are not known keys")
          + "; known keys are " + String.join(", ", known));
    }
    r.validate();
    return new AwsAsgGroup(target, name.strip(), region, protection, ignoreEvents);
  }

  /** The policy's {@code scale_in_protection}, if it set one (else the agent's applies). */
  Optional<Boolean> scaleInProtection() {
    return scaleInProtection;
  }

  /** Whether readiness rests on the group's {@code Status} alone ({@code ignore_asg_events}). */
  boolean ignoreAsgEvents() {
    return ignoreAsgEvents;
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
