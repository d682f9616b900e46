package dev.capstan.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.InstanceGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class ClusterConfigTest {

  private static Node node(String nodeClass, String dc, String pool) {
    return new Node("n", Optional.of("i"), nodeClass, dc, pool, NodeStatus.READY, true, false, 1, List.of(),
        Resources.NONE, Resources.NONE);
  }

  @Test
  void parse_defaults_followNomadAutoscaler() {
    ClusterConfig c = ClusterConfig.parse(Map.of("node_class", "hashistack", "aws_asg_name", "x"));
    assertThat(c.drain()).isEqualTo(new DrainSpec(Duration.ofMinutes(15), false));
    assertThat(c.purge()).isFalse();
    assertThat(c.selector()).isEqualTo(NodeSelector.LEAST_BUSY);
    assertThat(c.readyCheck()).isTrue();
    assertThat(c.filter()).as("ineligible nodes may go, as nomad-autoscaler forces on scale-in")
        .isEqualTo(new ClusterConfig.NodeFilter(false, false, true));
  }

  @Test
  void parse_everyKey() {
    Map<String, String> every = Map.ofEntries(Map.entry("node_class", "hashistack"), Map.entry("datacenter", "dc1"),
        Map.entry("node_pool", "gpu"), Map.entry("node_drain_deadline", "5m"),
        Map.entry("node_drain_ignore_system_jobs", "true"), Map.entry("node_purge", "true"),
        Map.entry("node_selector_strategy", "empty_ignore_system"), Map.entry("node_ready_check", "false"),
        Map.entry("node_filter_ignore_init", "true"), Map.entry("node_filter_ignore_drain", "true"),
        Map.entry("node_filter_ignore_ineligible", "false"));
    assertThat(every.keySet()).as("the one list of cluster keys").isEqualTo(InstanceGroup.CLUSTER_KEYS);
    ClusterConfig c = ClusterConfig.parse(every);
    assertThat(c).isEqualTo(new ClusterConfig(Optional.of("hashistack"), Optional.of("dc1"), Optional.of("gpu"),
        new DrainSpec(Duration.ofMinutes(5), true), true, NodeSelector.EMPTY_IGNORE_SYSTEM, false,
        new ClusterConfig.NodeFilter(true, true, false)));
    assertThat(c.describe()).isEqualTo("node_class=hashistack, datacenter=dc1, node_pool=gpu");
  }

  @Test
  void parse_badValues_allReported() {
    assertThatThrownBy(() -> ClusterConfig.parse(Map.of("node_class", "x", "node_drain_deadline", "soon",
        "node_purge", "yes", "node_selector_strategy", "busiest")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            "node_drain_deadline was 'soon' but it must be a duration such as 90s, 5m or 1h30m",
            "node_purge was 'yes' but it must be true or false",
            "node_selector_strategy was 'busiest' but it must be one of least_busy, empty, empty_ignore_system, "
                + "newest_create_index, oldest_create_index"));
  }

  @Test
  void matches_everySetFilterMustHold() {
    ClusterConfig byClass = ClusterConfig.parse(Map.of("node_class", "cloud"));
    ClusterConfig byDc = ClusterConfig.parse(Map.of("datacenter", "dc2"));
    ClusterConfig byPool = ClusterConfig.parse(Map.of("node_pool", "gpu"));
    ClusterConfig all = ClusterConfig.parse(Map.of("node_class", "cloud", "datacenter", "dc2", "node_pool", "gpu"));
    Node cloudDc2Gpu = node("cloud", "dc2", "gpu");
    Node rpiDc2Gpu = node("hashistack-rpi", "dc2", "gpu");
    Node cloudDc1Default = node("cloud", "dc1", "default");
    assertThat(byClass.matches(cloudDc2Gpu)).isTrue();
    assertThat(byClass.matches(rpiDc2Gpu)).isFalse();
    assertThat(byDc.matches(cloudDc1Default)).isFalse();
    assertThat(byDc.matches(rpiDc2Gpu)).isTrue();
    assertThat(byPool.matches(cloudDc1Default)).isFalse();
    assertThat(all.matches(cloudDc2Gpu)).isTrue();
    assertThat(all.matches(rpiDc2Gpu)).isFalse();
    assertThat(all.matches(cloudDc1Default)).isFalse();
  }

  @Test
  void matches_autoscalerDefaultPool_selectsOnlyNodesWithoutAClass() {
    ClusterConfig defaultPool = ClusterConfig.parse(Map.of("node_class", "autoscaler-default-pool"));
    assertThat(defaultPool.matches(node("", "dc1", "default"))).isTrue();
    assertThat(defaultPool.matches(node("hashistack", "dc1", "default"))).isFalse();
    assertThat(ClusterConfig.parse(Map.of("node_class", "hashistack")).matches(node("", "dc1", "default"))).isFalse();
  }

  @Test
  void isCluster_needsAGroupKey() {
    assertThat(ClusterConfig.isCluster(Map.of("aws_asg_name", "x"))).isFalse();
    assertThat(ClusterConfig.isCluster(Map.of("aws_asg_name", "x", "datacenter", "dc1"))).isTrue();
  }
}
