package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TerminationException;
import dev.capstan.spi.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class InMemoryTargetTest extends TargetContract {
  private static final Map<String, String> GROUP = Map.of(InMemoryTarget.GROUP_KEY, "web");

  @Override
  protected Target createTarget() {
    InMemoryTarget target = new InMemoryTarget();
    target.setCount("web", 3);
    return target;
  }

  @Override
  protected Map<String, String> groupConfig() {
    return GROUP;
  }

  @Override
  protected Map<String, String> missingGroupConfig() {
    return Map.of(InMemoryTarget.GROUP_KEY, "nope");
  }

  @Override
  protected String missingGroupName() {
    return "nope";
  }

  @Override
  protected long initialCount() {
    return 3;
  }

  @Override
  protected List<String> initialInstanceIds() {
    return List.of("web-1", "web-2", "web-3");
  }

  @Override
  protected long requestsMade() {
    return inMemory().calls().size();
  }

  @Override
  protected Map<String, Map<String, String>> badConfigs() {
    Map<String, Map<String, String>> bad = new HashMap<>(super.badConfigs());
    bad.put(InMemoryTarget.GROUP_KEY, Map.of(InMemoryTarget.GROUP_KEY, " "));
    return bad;
  }

  private InMemoryTarget inMemory() {
    return (InMemoryTarget) target();
  }

  @Test
  void bind_clusterKeysAndGroup_typedGroupWithoutAnyCall() {
    InMemoryTarget.BoundGroup group = inMemory().bind(Map.of(InMemoryTarget.GROUP_KEY, "web", "node_class", "x"));

    assertThat(group.name()).isEqualTo("web");
    assertThat(group.id()).isEqualTo("in-memory:web");
    assertThat(inMemory().bind(Map.of()).name()).isEqualTo(InMemoryTarget.DEFAULT_GROUP);
    assertThat(inMemory().calls()).isEmpty();
  }

  @Test
  void bind_twoUnknownKeys_namesBothAndListsKnownKeysOnce() {
    assertThatThrownBy(() -> inMemory().bind(Map.of("grup", "web", "nod_class", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid in-memory target: 'grup', 'nod_class' are not known keys; known keys are datacenter, "
            + "group, node_class, node_drain_deadline, node_drain_ignore_system_jobs, node_filter_ignore_drain, node_filter_ignore_ineligible, node_filter_ignore_init, node_pool, node_purge, "
            + "node_ready_check, node_selector_strategy");
  }

  @Test
  void scale_recordsEveryCallInOrder() {
    inMemory().status(GROUP);
    inMemory().scale(ScalingAction.to(3, 5, "up"), GROUP);
    assertThat(inMemory().calls()).extracting(InMemoryTarget.Call::operation)
        .containsExactly(InMemoryTarget.Operation.STATUS, InMemoryTarget.Operation.SCALE);
    assertThat(inMemory().scaleActions()).extracting(ScalingAction::count).containsExactly(5L);
    assertThat(inMemory().instances("web")).containsExactly("web-1", "web-2", "web-3", "web-4", "web-5");
    assertThat(inMemory().maxConcurrentScales()).isEqualTo(1);
  }

  @Test
  void failNext_throwsOnceThenWorks() {
    inMemory().failNext(InMemoryTarget.Operation.SCALE, new TargetException("boom"));
    assertThatThrownBy(() -> inMemory().scale(ScalingAction.to(3, 4, "up"), GROUP)).hasMessage("boom");
    assertThat(inMemory().count("web")).isEqualTo(3);
    inMemory().scale(ScalingAction.to(3, 4, "up"), GROUP);
    assertThat(inMemory().count("web")).isEqualTo(4);
  }

  @Test
  void setReady_false_reportedWithReason() {
    inMemory().setReady("web", false);
    assertThat(inMemory().status(GROUP).ready()).isFalse();
    assertThat(inMemory().status(GROUP).meta()).containsKey("capstan.not_ready_reason");
  }

  @Test
  void terminate_refusedInstance_reportsPartialResult() {
    inMemory().refuseToTerminate("web-2", "scale-in protected");
    assertThatThrownBy(() -> inMemory().terminate(GROUP, List.of("web-1", "web-2", "web-9")))
        .isInstanceOfSatisfying(TerminationException.class, e -> {
          assertThat(e.terminated()).containsExactly("web-1");
          assertThat(e.failed()).containsOnlyKeys("web-2", "web-9").containsEntry("web-2", "scale-in protected");
        });
    assertThat(inMemory().instances("web")).containsExactly("web-2", "web-3");
  }

  @Test
  void hangNext_blocksUntilReleased() throws Exception {
    var latch = inMemory().hangNext(InMemoryTarget.Operation.STATUS);
    Thread caller = new Thread(() -> inMemory().status(GROUP));
    caller.start();
    latch.countDown();
    caller.join(10_000);
    assertThat(caller.isAlive()).isFalse();
  }
}
