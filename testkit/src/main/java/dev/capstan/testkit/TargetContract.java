package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstan.spi.Direction;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Target} must show. A target's test extends this class and creates, before
 * each test, a target whose group (named by {@link #groupConfig()}) is ready at {@link #initialCount()}.
 * Cloud targets do this against a local endpoint that keeps the group's state.
 */
public abstract class TargetContract {
  private Target target;

  /**
   * Creates the target under test with a fresh group; called before each test.
   *
   * @return a new target
   */
  protected abstract Target createTarget();

  /**
   * Returns the policy target configuration naming the group.
   *
   * @return the configuration
   */
  protected abstract Map<String, String> groupConfig();

  /**
   * Returns a policy target configuration naming a group that does not exist.
   *
   * @return the configuration
   */
  protected abstract Map<String, String> missingGroupConfig();

  /**
   * Returns the name of the missing group, which error messages must contain.
   *
   * @return the name
   */
  protected abstract String missingGroupName();

  /**
   * Returns the group's count when the test starts; at least 2.
   *
   * @return the count
   */
  protected abstract long initialCount();

  /**
   * Returns the ids of the group's instances when the test starts, for targets that are
   * {@link InstanceGroup}s; others return an empty list.
   *
   * @return the instance ids
   */
  protected List<String> initialInstanceIds() {
    return List.of();
  }

  @BeforeEach
  final void openTarget() {
    target = createTarget();
  }

  @AfterEach
  final void closeTarget() {
    target.close();
  }

  /**
   * Returns the target created for the current test.
   *
   * @return the target
   */
  protected final Target target() {
    return target;
  }

  private ScalingAction action(long count, boolean dryRun) {
    long current = initialCount();
    return new ScalingAction(count, Direction.of(current, count), "contract test", Map.of(), dryRun);
  }

  @Test
  @DisplayName("a fresh group reports ready at its initial count")
  void status_freshGroup_readyAtInitialCount() {
    TargetStatus status = target.status(groupConfig());
    assertThat(status.ready()).isTrue();
    assertThat(status.count()).isEqualTo(initialCount());
  }

  @Test
  @DisplayName("scaling up is reflected in the next status")
  void scale_up_nextStatusHasNewCount() {
    target.scale(action(initialCount() + 2, false), groupConfig());
    assertThat(target.status(groupConfig()).count()).isEqualTo(initialCount() + 2);
  }

  @Test
  @DisplayName("scaling down is reflected in the next status")
  void scale_down_nextStatusHasNewCount() {
    target.scale(action(initialCount() - 1, false), groupConfig());
    assertThat(target.status(groupConfig()).count()).isEqualTo(initialCount() - 1);
  }

  @Test
  @DisplayName("a dry-run action changes nothing")
  void scale_dryRun_changesNothing() {
    target.scale(action(initialCount() + 3, true), groupConfig());
    assertThat(target.status(groupConfig()).count()).isEqualTo(initialCount());
  }

  @Test
  @DisplayName("statusAll answers in the order it was asked")
  void statusAll_answersInOrder() {
    List<TargetStatus> statuses = target.statusAll(List.of(groupConfig(), groupConfig()));
    assertThat(statuses).hasSize(2).allSatisfy(s -> assertThat(s.count()).isEqualTo(initialCount()));
  }

  @Test
  @DisplayName("a missing group is an error naming the group")
  void status_missingGroup_throwsNamingGroup() {
    assertThatThrownBy(() -> target.status(missingGroupConfig()))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining(missingGroupName());
  }

  @Test
  @DisplayName("scaling a missing group is an error naming the group")
  void scale_missingGroup_throwsNamingGroup() {
    assertThatThrownBy(() -> target.scale(action(initialCount() + 1, false), missingGroupConfig()))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining(missingGroupName());
  }

  @Test
  @DisplayName("terminating one named instance lowers the count by one")
  void terminate_oneInstance_lowersCountByOne() {
    assumeTrue(target instanceof InstanceGroup, "not an InstanceGroup");
    List<String> ids = initialInstanceIds();
    assertThat(ids).as("initialInstanceIds() of an InstanceGroup").isNotEmpty();
    ((InstanceGroup) target).terminate(groupConfig(), List.of(ids.get(0)));
    assertThat(target.status(groupConfig()).count()).isEqualTo(initialCount() - 1);
  }

  @Test
  @DisplayName("closing twice is harmless")
  void close_twice_isHarmless() {
    target.close();
    target.close();
  }
}
