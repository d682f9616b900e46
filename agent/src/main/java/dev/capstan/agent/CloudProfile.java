package dev.capstan.agent;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the simulator assumes about one cloud's instances: how long a new one takes to boot and join
 * the cluster, how much CPU it adds, what it costs, and which policy target key names its group.
 *
 * <p>The numbers are illustrative list prices of small ARM instances (the Pis' architecture, so the
 * same images run in the cloud), not a quote.
 *
 * @param target the policy target name it stands in for, e.g. {@code "aws-asg"}
 * @param groupKey the policy target key that names the group, e.g. {@code "aws_asg_name"}
 * @param instanceType a label for the report, e.g. {@code "t4g.large"}
 * @param bootDelay from launch until the node has joined and takes work
 * @param capacityMhz the CPU one instance adds, in MHz as Nomad counts it
 * @param pricePerHour US dollars per instance-hour, billed from launch to termination
 */
record CloudProfile(String target, String groupKey, String instanceType, Duration bootDelay, double capacityMhz,
    double pricePerHour) {

  /** The profiles of the three cloud targets, in the order the report lists them. */
  static final List<CloudProfile> KNOWN = List.of(
      new CloudProfile("aws-asg", "aws_asg_name", "t4g.large", Duration.ofMinutes(3), 4000, 0.0672),
      new CloudProfile("gce-mig", "mig_name", "t2a-standard-2", Duration.ofSeconds(150), 4000, 0.0770),
      new CloudProfile("azure-vmss", "vm_scale_set", "Standard_D2ps_v5", Duration.ofMinutes(4), 4000, 0.0770));

  CloudProfile {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(groupKey, "groupKey");
    Objects.requireNonNull(instanceType, "instanceType");
    if (bootDelay.isNegative()) {
      throw new IllegalArgumentException("bootDelay must not be negative, but was " + bootDelay);
    }
    if (!(capacityMhz > 0)) {
      throw new IllegalArgumentException("capacityMhz must be positive, but was " + capacityMhz);
    }
    if (!(pricePerHour >= 0)) {
      throw new IllegalArgumentException("pricePerHour must be at least 0, but was " + pricePerHour);
    }
  }

  /**
   * Returns the profile for a policy's target; a target the simulator does not know gets the AWS
   * numbers under its own name, with {@code group} as the key naming its group.
   */
  static CloudProfile forTarget(String target) {
    for (CloudProfile p : KNOWN) {
      if (p.target.equals(target)) {
        return p;
      }
    }
    CloudProfile aws = KNOWN.get(0);
    return new CloudProfile(target, "group", "generic", aws.bootDelay, aws.capacityMhz, aws.pricePerHour);
  }

  /** A one-line description for the summary, e.g. {@code "t4g.large, 4000 MHz, boots in 3m, $0.0672/h"}. */
  String describe() {
    return String.format(Locale.ROOT, "%s, %.0f MHz, boots in %s, $%.4f/h", instanceType, capacityMhz,
        dev.capstan.config.Durations.format(bootDelay), pricePerHour);
  }
}
