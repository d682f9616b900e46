package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Check;
import dev.capstan.policy.PluginRef;
import dev.capstan.policy.ScalingPolicy;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class NomadShortQueriesTest {
  private static final Map<String, String> TASK_GROUP = Map.of("Namespace", "dev", "Job", "example", "Group", "cache");

  @Test
  void expand_taskGroupTarget_givesTaskgroupQueryWithNamespace() {
    assertThat(NomadShortQueries.expand("avg_cpu", TASK_GROUP)).isEqualTo("taskgroup_avg_cpu/cache/example@dev");
    assertThat(NomadShortQueries.expand("max_memory-allocated", TASK_GROUP))
        .isEqualTo("taskgroup_max_memory-allocated/cache/example@dev");
  }

  @Test
  void expand_taskGroupWithoutNamespace_leavesItEmptyAsThePeer() {
    assertThat(NomadShortQueries.expand("avg_cpu", Map.of("Job", "example", "Group", "cache")))
        .isEqualTo("taskgroup_avg_cpu/cache/example@");
  }

  @Test
  void expand_nodePoolTarget_keysInThePeersOrder_valuesQueryEscaped() {
    Map<String, String> target = Map.of("node_pool", "gpu*", "datacenter", "us east 1", "node_class", "a~b",
        "aws_asg_name", "asg");
    assertThat(NomadShortQueries.expand("percentage-allocated_cpu", target))
        .isEqualTo("node_percentage-allocated_cpu/node_class=a~b,datacenter=us+east+1,node_pool=gpu%2A");
  }

  @Test
  void expand_fullQueriesAndTargetsOfNeitherKind_areLeftAsWritten() {
    assertThat(NomadShortQueries.expand("taskgroup_avg_cpu/cache/example@dev", TASK_GROUP))
        .isEqualTo("taskgroup_avg_cpu/cache/example@dev");
    assertThat(NomadShortQueries.expand("avg_cpu", Map.of("Job", "example"))).isEqualTo("avg_cpu");
    assertThat(NomadShortQueries.expand("percentage-allocated_memory", Map.of())).isEqualTo("percentage-allocated_memory");
    assertThat(NomadShortQueries.expand("cpu", TASK_GROUP)).isEqualTo("cpu");
  }

  @Test
  void expandPolicy_onlyChecksOfTheNomadSourcesChange() {
    PluginRef strategy = PluginRef.of("target-value", Map.of("target", "70"));
    ScalingPolicy policy = ScalingPolicy.builder().name("p").min(1).max(5)
        .check(Check.of("apm", "nomad-apm", "avg_cpu", strategy))
        .check(Check.of("prom", "prometheus", "avg_cpu", strategy))
        .target(PluginRef.of("nomad", TASK_GROUP)).build();

    ScalingPolicy expanded = NomadShortQueries.expand(policy, NomadShortQueries.DEFAULT_SOURCES);

    assertThat(expanded.checks()).extracting(Check::query)
        .containsExactly("taskgroup_avg_cpu/cache/example@dev", "avg_cpu");
    assertThat(expanded.id()).isEqualTo(policy.id());
    assertThat(NomadShortQueries.expand(policy, Set.of("mine"))).isSameAs(policy);
  }
}
