package dev.capstan.ha.zookeeper;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The coordination's meters (named in {@link ZooKeeperCoordination.Builder#meterRegistry}), read from
 * its own counters when the registry is scraped, so ownership changes cost nothing extra. The only
 * class here that touches Micrometer: it is loaded only when a registry was given.
 */
final class CoordinationMeters {
  private CoordinationMeters() {}

  /** Registers the meters over {@code coordination}'s counters; {@code registry} is a {@link MeterRegistry}. */
  static void bind(ZooKeeperCoordination coordination, Object registry) {
    MeterRegistry r = (MeterRegistry) registry;
    FunctionCounter.builder("capstan.ha.ownership.changes", coordination, ZooKeeperCoordination::gainedPolicies)
        .tag("change", "gained").description("Policies this member took").register(r);
    FunctionCounter.builder("capstan.ha.ownership.changes", coordination, ZooKeeperCoordination::droppedPolicies)
        .tag("change", "dropped").description("Policies this member gave up or lost").register(r);
    FunctionCounter.builder("capstan.ha.fenced.calls", coordination, ZooKeeperCoordination::fencedCalls)
        .description("Scale calls refused because this member could not confirm it owns the policy").register(r);
    Gauge.builder("capstan.ha.owned.policies", coordination, c -> c.owned().size())
        .description("Policies this member owns now").register(r);
    Gauge.builder("capstan.ha.members", coordination, c -> c.members().size())
        .description("Live members this member sees").register(r);
  }
}
