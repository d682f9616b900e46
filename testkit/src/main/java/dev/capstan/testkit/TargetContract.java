package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Direction;
import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import java.util.HashMap;
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
 *
 * <p>Binding ({@link Target#bind}) is checked too: a bound group has a stable {@link TargetGroup#id()},
 * {@link Target#statusOf} answers one result per group in order and fails only a missing one. A target
 * that overrides {@code bind} must also validate there and make no call to its backend: it answers
 * {@link #requestsMade()} from its fake (or the contract fails, saying so) and may add bad
 * configurations to {@link #badConfigs()}. A target left on the SPI's default {@code bind}, which
 * cannot validate, has those cases skipped.
 */
public abstract class TargetContract {
  /** What {@link #requestsMade()} answers when the subclass does not count requests. */
  protected static final long NOT_COUNTED = -1;

  /** A key no target knows, which {@link Target#bind} must reject by name. */
  protected static final String UNKNOWN_KEY = "capstan_contract_unknown_key";

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

  /**
   * Returns how many requests the target has sent to its backend so far (HTTP requests received by
   * the fake, calls recorded by an in-memory backend). A target that overrides {@link Target#bind}
   * must override this: the contract checks that binding sends none.
   *
   * @return the count so far, or {@link #NOT_COUNTED} (the default)
   */
  protected long requestsMade() {
    return NOT_COUNTED;
  }

  /**
   * Returns configurations {@link Target#bind} must reject, each keyed by the key the
   * {@link ConfigException} must name. The default holds {@link #groupConfig()} plus
   * {@link #UNKNOWN_KEY}; subclasses add bad values and missing required keys, e.g.
   * {@code Map.of("mig_name", Map.of("mig_name", "Not_A_Name", "zone", "z"))}.
   *
   * @return key to name, mapped to the configuration that is bad there
   */
  protected Map<String, Map<String, String>> badConfigs() {
    Map<String, String> unknown = new HashMap<>(groupConfig());
    unknown.put(UNKNOWN_KEY, "x");
    return Map.of(UNKNOWN_KEY, Map.copyOf(unknown));
  }

  /**
   * Returns a target over the same group whose next {@link InstanceGroup#terminate} the backend
   * accepts but does not confirm (an operation that does not finish within the target's timeout, an
   * activity still in progress, a result that cannot be read), for the contract's unconfirmed-
   * termination cases. The contract closes it. A target that cannot produce that outcome keeps the
   * default, and those cases are skipped.
   *
   * @return the target, or empty (the default) to skip the unconfirmed cases
   */
  protected java.util.Optional<Target> targetLeavingTerminationsUnconfirmed() {
    return java.util.Optional.empty();
  }

  /**
   * Lets the backend finish what it accepted for an unconfirmed termination (the operation ends, the
   * instance goes), so the contract can check that {@link InstanceGroup#instanceIds} then shows the
   * instance gone, which is how the cluster flow reconciles an unconfirmed node.
   *
   * @return {@code true} if the backend was settled; {@code false} (the default) skips that case
   */
  protected boolean settleUnconfirmedTerminations() {
    return false;
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

  private String unconfirmedTermination(String id) {
    java.util.Optional<Target> leaving = targetLeavingTerminationsUnconfirmed();
    assumeTrue(leaving.isPresent(), "targetLeavingTerminationsUnconfirmed() not provided");
    try (Target t = leaving.get()) {
      assertThat(t).as("targetLeavingTerminationsUnconfirmed()").isInstanceOf(InstanceGroup.class);
      Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
          () -> ((InstanceGroup) t).terminate(groupConfig(), List.of(id)));
      assertThat(thrown).as("terminate of an accepted but unconfirmed instance")
          .isInstanceOf(dev.capstan.spi.TerminationException.class);
      dev.capstan.spi.TerminationException e = (dev.capstan.spi.TerminationException) thrown;
      assertThat(e.terminated()).as("terminated").isEmpty();
      assertThat(e.failed()).as("failed (a failed node is made eligible again: wrong for one that may be gone)")
          .isEmpty();
      assertThat(e.unconfirmed()).as("unconfirmed").containsOnlyKeys(id);
      return e.unconfirmed().get(id);
    }
  }

  @Test
  @DisplayName("a termination the cloud accepted but did not confirm is reported unconfirmed, with a reason")
  void terminate_acceptedButUnconfirmed_reportedUnconfirmedNotFailed() {
    assumeTrue(target instanceof InstanceGroup, "not an InstanceGroup");
    List<String> ids = initialInstanceIds();
    assertThat(ids).as("initialInstanceIds() of an InstanceGroup").isNotEmpty();
    assertThat(unconfirmedTermination(ids.get(0))).as("the reason").isNotBlank();
  }

  @Test
  @DisplayName("once the cloud finishes an unconfirmed termination, instanceIds shows the instance gone")
  void terminate_unconfirmedThenSettled_instanceIdsNoLongerListIt() {
    assumeTrue(target instanceof InstanceGroup, "not an InstanceGroup");
    String id = initialInstanceIds().get(0);
    unconfirmedTermination(id);
    assumeTrue(settleUnconfirmedTerminations(), "settleUnconfirmedTerminations() not provided");
    java.util.Optional<List<String>> live = ((InstanceGroup) target).instanceIds(groupConfig());
    assumeTrue(live.isPresent(), "the target cannot list its instances (the node pool reconciles then)");
    assertThat(live.get()).as("live instances after the cloud finished").doesNotContain(id);
  }

  private boolean bindsItself() {
    try {
      return target.getClass().getMethod("bind", Map.class).getDeclaringClass() != Target.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError("Target.bind(Map) is missing", e);
    }
  }

  private void assumeBindsItself() {
    assumeTrue(bindsItself(), target.getClass().getName() + " keeps Target's default bind, which cannot "
        + "validate; override bind to parse the target block once");
  }

  private long counted() {
    long made = requestsMade();
    assertThat(made).as(getClass().getName() + " must override requestsMade(): " + target.getClass().getName()
        + " binds itself, and binding must send no request to its backend").isNotEqualTo(NOT_COUNTED);
    return made;
  }

  private static Map<String, String> with(Map<String, String> config, String key, String value) {
    Map<String, String> copy = new HashMap<>(config);
    copy.put(key, value);
    return Map.copyOf(copy);
  }

  @Test
  @DisplayName("binding sends no request, even for a group that does not exist")
  void bind_anyGroup_sendsNoRequest() {
    assumeBindsItself();
    long before = counted();
    target.bind(groupConfig());
    target.bind(missingGroupConfig());
    assertThat(requestsMade()).as("requests sent by bind").isEqualTo(before);
  }

  @Test
  @DisplayName("a bad or unknown key is a ConfigException at bind naming the key")
  void bind_badConfig_throwsConfigExceptionNamingKey() {
    assumeBindsItself();
    Map<String, Map<String, String>> bad = badConfigs();
    assertThat(bad).as("badConfigs()").isNotEmpty();
    bad.forEach((key, config) -> assertThatThrownBy(() -> target.bind(config))
        .as("bind(%s)", config)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key));
  }

  @Test
  @DisplayName("a bound group reads and scales like the map-taking methods")
  void bind_group_readsAndScales() {
    TargetGroup group = target.bind(groupConfig());
    assertThat(group.status().count()).isEqualTo(initialCount());
    group.scale(action(initialCount() + 1, false));
    assertThat(group.status().count()).isEqualTo(initialCount() + 1);
    assertThat(target.status(groupConfig()).count()).isEqualTo(initialCount() + 1);
  }

  @Test
  @DisplayName("an instance group binds to a group that terminates named instances")
  void bind_instanceGroup_terminatesNamedInstances() {
    assumeTrue(target instanceof InstanceGroup, "not an InstanceGroup");
    TargetGroup group = target.bind(groupConfig());
    assertThat(group).isInstanceOf(InstanceTargetGroup.class);
    List<String> ids = initialInstanceIds();
    assertThat(ids).as("initialInstanceIds() of an InstanceGroup").isNotEmpty();
    ((InstanceTargetGroup) group).terminate(List.of(ids.get(0)));
    assertThat(group.status().count()).isEqualTo(initialCount() - 1);
  }

  @Test
  @DisplayName("a group's id is stable across binds and cluster keys, and differs between groups")
  void bind_id_stableForOneGroupAndDistinctBetweenGroups() {
    TargetGroup group = target.bind(groupConfig());
    assertThat(group.id()).isNotBlank();
    assertThat(target.bind(groupConfig()).id()).isEqualTo(group.id());
    assertThat(target.bind(missingGroupConfig()).id()).isNotEqualTo(group.id());
    if (target instanceof InstanceGroup) {
      Map<String, String> drained = with(with(groupConfig(), "node_drain_deadline", "7m"), "node_purge", "true");
      assertThat(target.bind(drained).id()).as("id with other cluster keys").isEqualTo(group.id());
    }
  }

  @Test
  @DisplayName("statusOf answers one result per group in order and fails only the missing one")
  void statusOf_withMissingGroup_failsOnlyThatEntry() {
    TargetGroup group = target.bind(groupConfig());
    List<GroupStatus> statuses = target.statusOf(List.of(group, target.bind(missingGroupConfig()), group));
    assertThat(statuses).hasSize(3);
    assertThat(statuses.get(0).status()).hasValueSatisfying(s -> assertThat(s.count()).isEqualTo(initialCount()));
    assertThat(statuses.get(1).isOk()).isFalse();
    assertThat(statuses.get(1).error()).hasValueSatisfying(e -> assertThat(e).hasMessageContaining(missingGroupName()));
    assertThat(statuses.get(2).status()).hasValueSatisfying(s -> assertThat(s.count()).isEqualTo(initialCount()));
  }

  @Test
  @DisplayName("statusOf of no groups answers nothing")
  void statusOf_noGroups_isEmpty() {
    assertThat(target.statusOf(List.of())).isEmpty();
  }

  @Test
  @DisplayName("closing twice is harmless")
  void close_twice_isHarmless() {
    target.close();
    target.close();
  }
}
