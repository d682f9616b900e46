package dev.capstan.target.gcp;

import dev.capstan.config.ConfigReader;
import dev.capstan.spi.InstanceGroup;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One managed instance group named by a policy's target block: zonal or regional.
 *
 * @param project the project that owns the group
 * @param regional whether {@code location} is a region (otherwise a zone)
 * @param location the zone or region
 * @param name the group's name
 */
record MigRef(String project, boolean regional, String location, String name) {

  /** Compute Engine resource names: lower-case letter, then letters, digits or dashes, 1 to 63. */
  private static final Pattern RESOURCE_NAME = Pattern.compile("[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?");

  /**
   * Parses a policy's target block.
   *
   * @param config the policy target attributes
   * @param defaultProject the agent's project, used when the policy names none
   * @return the group it names
   * @throws dev.capstan.spi.ConfigException naming every bad, missing or unknown key
   */
  static MigRef parse(Map<String, String> config, Optional<String> defaultProject) {
    ConfigReader r = ConfigReader.of(config, "gce-mig target config");
    String name = r.requiredString("mig_name");
    if (!name.isEmpty() && !RESOURCE_NAME.matcher(name).matches()) {
      r.problem("mig_name", "must be a Compute Engine name: 1 to 63 lower-case letters, digits or dashes,"
          + " starting with a letter");
    }
    Optional<String> zone = r.optionalString("zone");
    Optional<String> region = r.optionalString("region");
    if (zone.isPresent() == region.isPresent()) {
      r.problem("exactly one of zone (zonal group) or region (regional group) is required, but "
          + (zone.isPresent() ? "both were" : "neither was") + " given");
    }
    Optional<String> project = r.optionalString("project").or(() -> defaultProject);
    if (project.isEmpty()) {
      r.problem("project is required here or in the agent config, but was missing in both");
    }
    r.allow(InstanceGroup.CLUSTER_KEYS.toArray(String[]::new));
    r.rejectUnknownKeys();
    r.validate();
    return new MigRef(project.orElseThrow(), region.isPresent(), region.or(() -> zone).orElseThrow(), name);
  }

  /**
   * Returns the scope key the aggregated list uses for this group, e.g. {@code zones/us-central1-a}.
   *
   * @return the scope key
   */
  String scope() {
    return (regional ? "regions/" : "zones/") + location;
  }

  /** Returns the group's resource path, e.g. {@code projects/p/zones/z/instanceGroupManagers/web}. */
  @Override
  public String toString() {
    return "projects/" + project + "/" + scope() + "/instanceGroupManagers/" + name;
  }
}
