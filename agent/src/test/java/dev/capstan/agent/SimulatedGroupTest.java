package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TerminationException;
import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.TargetContract;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

final class SimulatedGroupTest extends TargetContract {
  private static final CloudProfile AWS = CloudProfile.forTarget("aws-asg");
  private static final Map<String, String> GROUP = Map.of("aws_asg_name", "cloud");

  private final ManualClock clock = ManualClock.startingAtEpochOf2026();
  private SimulatedGroup group;

  @Override
  protected Target createTarget() {
    group = new SimulatedGroup("cloud", AWS, clock, 3);
    return group;
  }

  @Override
  protected Map<String, String> groupConfig() {
    return GROUP;
  }

  @Override
  protected Map<String, String> missingGroupConfig() {
    return Map.of("aws_asg_name", "elsewhere");
  }

  @Override
  protected String missingGroupName() {
    return "elsewhere";
  }

  @Override
  protected long initialCount() {
    return 3;
  }

  @Override
  protected List<String> initialInstanceIds() {
    return group.instanceIds();
  }

  @Test
  void scale_up_newInstancesAddCapacityOnlyAfterBootDelay() {
    group.scale(ScalingAction.to(3, 5, "test"), GROUP);

    assertThat(group.status(GROUP).ready()).isFalse();
    assertThat(group.readyCapacityMhz()).isEqualTo(3 * AWS.capacityMhz());

    clock.advance(AWS.bootDelay().minusSeconds(1));
    assertThat(group.readyCount()).isEqualTo(3);
    clock.advance(Duration.ofSeconds(1));
    assertThat(group.readyCount()).isEqualTo(5);
    assertThat(group.status(GROUP).ready()).isTrue();
  }

  @Test
  void instanceHours_countsBootingAndRetiredInstances() {
    clock.advance(Duration.ofHours(1));
    group.scale(ScalingAction.to(3, 4, "test"), GROUP);
    clock.advance(Duration.ofMinutes(30));
    group.scale(ScalingAction.to(4, 1, "test"), GROUP);
    clock.advance(Duration.ofHours(2));

    // 3 instances for 1.5h, one more for 0.5h, then 1 instance for 2h.
    assertThat(group.instanceHours()).isCloseTo(3 * 1.5 + 0.5 + 2, Offset.offset(1e-9));
    assertThat(group.cost()).isCloseTo(7 * AWS.pricePerHour(), Offset.offset(1e-9));
  }

  @Test
  void scale_down_removesNewestFirst() {
    group.scale(ScalingAction.to(3, 4, "test"), GROUP);
    group.scale(ScalingAction.to(4, 2, "test"), GROUP);

    assertThat(group.instanceIds()).containsExactly("cloud-1", "cloud-2");
  }

  @Test
  void terminate_unknownInstance_reportsItAndRemovesTheOthers() {
    assertThatThrownBy(() -> group.terminate(GROUP, List.of("cloud-2", "cloud-9")))
        .isInstanceOf(TerminationException.class)
        .hasMessageContaining("cloud-9");
    assertThat(group.instanceIds()).containsExactly("cloud-1", "cloud-3");
  }

  @Test
  void status_configWithoutGroupKey_meansTheOnlyGroup() {
    assertThat(group.status(Map.of("node_class", "hashistack-cloud")).count()).isEqualTo(3);
  }
}
