package com.example.embedder;

import dev.capstan.Plugins;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Snippets that talk to a real cloud or a real Prometheus: compiled against the published jars (so a
 * renamed method fails this build) but never called, since a build may not leave the machine.
 */
final class CompileOnlySnippets {
  private CompileOnlySnippets() {}

  static void awsTarget() throws Exception {
    // tag::aws-target[]
    try (Target asg = Plugins.target("aws-asg", Map.of("aws_region", "eu-west-1"))) {
      TargetStatus status = asg.status(Map.of("aws_asg_name", "hashistack-nomad_client"));
      asg.scale(ScalingAction.to(status.count(), status.count() + 2, "burst"),
          Map.of("aws_asg_name", "hashistack-nomad_client"));
    }
    // end::aws-target[]
  }

  static void prometheus() throws Exception {
    // tag::prometheus-source[]
    try (MetricSource prometheus = Plugins.metricSource("prometheus",
        Map.of("address", "https://prometheus.internal:9090", "ca_file", "/etc/capstan/ca.pem"))) {
      Instant now = Instant.now();
      MetricSeries cpu = prometheus.query("avg(rate(node_cpu_seconds_total{mode!=\"idle\"}[1m])) * 100",
          now.minus(Duration.ofMinutes(5)), now);
    }
    // end::prometheus-source[]
  }
}
