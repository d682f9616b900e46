package dev.capstan.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.InMemoryNodePool;
import dev.capstan.testkit.InMemoryTarget;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class ClusterTargetTest {
  private static final Allocation WEB = new Allocation("w", "web", false, false);
  private static final Allocation LOGS = new Allocation("l", "logs", true, false);

  private InMemoryTarget cloud;
  private InMemoryNodePool pool;
  private ScaleInJournal journal;
  private ClusterTarget target;

  @BeforeEach
  void setUp() {
    cloud = new InMemoryTarget();
    cloud.setCount("asg", 4); // instances asg-1 .. asg-4
    pool = new InMemoryNodePool()
        .ready("n1", "asg-1", "cloud", 1, 800, WEB)
        .ready("n2", "asg-2", "cloud", 2, 100, WEB)
        .ready("n3", "asg-3", "cloud", 3, 0)
        .ready("n4", "asg-4", "cloud", 4, 500, WEB)
        .ready("pi1", "none", "hashistack-rpi", 5, 0);
    journal = ScaleInJournal.inMemory();
    target = ClusterTarget.of(cloud, pool, journal, Runnable::run);
  }

  private static Map<String, String> config(String... extra) {
    Map<String, String> c = new HashMap<>(Map.of(InMemoryTarget.GROUP_KEY, "asg", "node_class", "cloud"));
    for (int i = 0; i < extra.length; i += 2) {
      c.put(extra[i], extra[i + 1]);
    }
    return c;
  }

  /** The journal key of the test's group: the same for every cluster target with the default name. */
  private String key() {
    return target.journalKey(target.bind(config()));
  }

  private static ScalingAction down(long from, long to) {
    return ScalingAction.to(from, to, "test");
  }

  @Test
  void scaleDown_leastBusy_drainsThenTerminatesExactlyThoseNodes() {
    target.scale(down(4, 2), config());
    assertThat(pool.calls()).containsExactly("drain n3", "drain n2");
    assertThat(cloud.calls()).filteredOn(c -> c.operation() == InMemoryTarget.Operation.TERMINATE)
        .singleElement().satisfies(c -> assertThat(c.instanceIds()).containsExactly("asg-3", "asg-2"));
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-4");
    assertThat(cloud.scaleActions()).as("no blind desired-count change").isEmpty();
    assertThat(journal.read(key())).isEmpty();
  }

  @Test
  void scaleDown_otherSelector_followsIt() {
    target.scale(down(4, 3), config("node_selector_strategy", "oldest_create_index"));
    assertThat(cloud.instances("asg")).containsExactly("asg-2", "asg-3", "asg-4");
  }

  @Test
  void scaleDown_nodesOfOtherClassesNeverChosen() {
    target.scale(down(4, 0), config());
    assertThat(pool.calls()).doesNotContain("drain pi1");
    assertThat(pool.node("pi1")).isPresent();
    assertThat(cloud.count("asg")).isZero();
  }

  @Test
  void scaleDown_drainFails_nodeEligibleAgainAndKept_othersRemoved() {
    pool.failDrain("n3", "allocation stuck");
    target.scale(down(4, 2), config());
    assertThat(target.lastScaleIn(config())).hasValueSatisfying(o -> {
      assertThat(o.removed()).containsExactly("n2");
      assertThat(o.kept()).containsExactly(Map.entry("n3 (asg-3)", "drain failed: drain of node n3 failed: allocation stuck"));
    });
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-3", "asg-4");
    assertThat(pool.node("n3")).get().satisfies(n -> assertThat(n.eligible()).isTrue());
    assertThat(pool.calls()).contains("eligible n3 true");
    assertThat(target.status(config()).meta().get(ClusterTarget.META_LAST_SCALE_IN)).isEqualTo(
        "removed 1 of 2 chosen nodes of node_class=cloud (n2); kept (eligible again): "
            + "n3 (asg-3): drain failed: drain of node n3 failed: allocation stuck");
  }

  @Test
  void scaleDown_everyDrainFails_nothingTerminated() {
    pool.failDrain("n3", "x");
    target.scale(down(4, 3), config());
    assertThat(target.lastScaleIn(config())).hasValueSatisfying(o -> {
      assertThat(o.removed()).isEmpty();
      assertThat(o.complete()).isFalse();
    });
    assertThat(cloud.count("asg")).isEqualTo(4);
    assertThat(cloud.calls()).noneMatch(c -> c.operation() == InMemoryTarget.Operation.TERMINATE);
  }

  @Test
  void scaleDown_terminatePartlyFails_survivorEligibleAgain() {
    cloud.refuseToTerminate("asg-2", "scale-in protected");
    target.scale(down(4, 2), config());
    assertThat(target.lastScaleIn(config())).hasValueSatisfying(o ->
        assertThat(o.kept()).containsExactly(Map.entry("n2 (asg-2)", "terminate failed: scale-in protected")));
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-2", "asg-4");
    assertThat(pool.node("n2")).get().satisfies(n -> assertThat(n.eligible()).isTrue());
  }

  @Test
  void scaleDown_terminateUnconfirmed_nodeStaysIneligibleAndJournaled() {
    cloud.leaveTerminationUnconfirmed("asg-2", "activity still InProgress after 5m", true);
    ScaleInJournal quiet = ScaleInJournal.inMemory();
    ClusterTarget noReconcile = ClusterTarget.of(cloud, pool, quiet, Runnable::run);

    noReconcile.scale(down(4, 2), config());

    assertThat(noReconcile.lastScaleIn(config())).hasValueSatisfying(o -> {
      assertThat(o.removed()).containsExactly("n3");
      assertThat(o.kept()).isEmpty();
      assertThat(o.unconfirmed()).containsExactly(
          Map.entry("n2 (asg-2)", "terminate unconfirmed: activity still InProgress after 5m"));
      assertThat(o.complete()).isFalse();
      assertThat(o.describe()).contains("unconfirmed (ineligible until reconciled): n2 (asg-2)");
    });
    assertThat(pool.node("n2")).get().satisfies(n -> assertThat(n.eligible()).isFalse());
    assertThat(pool.calls()).doesNotContain("eligible n2 true");
    assertThat(quiet.read(noReconcile.journalKey(noReconcile.bind(config())))).get().asString()
        .contains("UNCONFIRMED").contains("asg-2");
  }

  @Test
  void scaleDown_terminateUnconfirmedThenGone_nextStatusPurgesIt() {
    cloud.leaveTerminationUnconfirmed("asg-2", "activity still InProgress after 5m", true);
    target.scale(down(4, 2), config("node_purge", "true"));
    assertThat(pool.node("n2")).isPresent();

    target.status(config("node_purge", "true"));

    assertThat(pool.node("n2")).isEmpty();
    assertThat(pool.calls()).doesNotContain("eligible n2 true");
    assertThat(journal.read(key())).isEmpty();
  }

  @Test
  void scaleDown_terminateUnconfirmedButStillRunning_nextStatusMakesItEligibleAgain() {
    cloud.leaveTerminationUnconfirmed("asg-2", "operation ended in error", false);
    target.scale(down(4, 2), config("node_purge", "true"));
    assertThat(pool.node("n2")).get().satisfies(n -> assertThat(n.eligible()).isFalse());

    target.status(config("node_purge", "true"));

    assertThat(pool.node("n2")).get().satisfies(n -> assertThat(n.eligible()).isTrue());
    assertThat(cloud.instances("asg")).contains("asg-2");
    assertThat(journal.read(key())).isEmpty();
  }

  @Test
  void scaleDown_noNodeQualifies_failsAtOnceNamingGroup() {
    assertThatThrownBy(() -> target.scale(down(4, 3), config("node_selector_strategy", "empty", "node_class", "gpu")))
        .isInstanceOf(TargetException.class)
        .hasMessage("cannot scale in node_class=gpu by 1: no node qualifies for empty among 0 removable nodes");
  }

  @Test
  void scaleDown_inProgress_groupNotReadyAndSecondScaleInRefused() {
    // Holds back the scale-in itself; its drains (submitted while it runs) run at once.
    List<Runnable> queued = new java.util.ArrayList<>();
    boolean[] flowQueued = {false};
    ClusterTarget deferred = ClusterTarget.of(cloud, pool, journal, task -> {
      if (flowQueued[0]) {
        task.run();
      } else {
        flowQueued[0] = true;
        queued.add(task);
      }
    });
    deferred.scale(down(4, 3), config());
    TargetStatus during = deferred.status(config());
    assertThat(during.ready()).isFalse();
    assertThat(during.meta().get(TargetStatus.META_NOT_READY_REASON))
        .isEqualTo("a scale-in of node_class=cloud is in progress: n3");
    assertThat(deferred.reconcile(config())).as("a live run is not a crash").isFalse();
    assertThatThrownBy(() -> deferred.scale(down(4, 3), config())).hasMessage("a scale-in of node_class=cloud is still running");

    queued.remove(0).run();
    assertThat(deferred.status(config()).ready()).isTrue();
    assertThat(cloud.count("asg")).isEqualTo(3);
    assertThat(deferred.lastScaleIn(config())).hasValueSatisfying(o -> assertThat(o.complete()).isTrue());
  }

  @Test
  void reconcile_scaleInStartsBetweenItsCheckAndItsRead_liveScaleInNotRolledBack() {
    // Another thread (a second policy or an API call on the same group) starts a scale-in right after
    // this status call's reconcile found none running, but before it reads the journal.
    List<Runnable> queued = new java.util.ArrayList<>();
    ClusterTarget[] other = new ClusterTarget[1];
    boolean[] interleaved = {false};
    boolean[] started = {false};
    ScaleInJournal racing = new ScaleInJournal() {
      @Override
      public Optional<String> read(String key) {
        if (!interleaved[0]) {
          interleaved[0] = true;
          try {
            other[0].scale(down(4, 3), config());
            started[0] = true;
          } catch (TargetException refused) {
            // Refusing the concurrent scale-in is a correct outcome too.
          }
        }
        return journal.read(key);
      }

      @Override
      public void write(String key, String entry) {
        journal.write(key, entry);
      }

      @Override
      public void remove(String key) {
        journal.remove(key);
      }
    };
    ClusterTarget shared = ClusterTarget.of(cloud, pool, racing, queued::add);
    other[0] = shared;

    shared.status(config());

    assertThat(pool.calls()).as("a node of the live scale-in was made eligible").doesNotContain("eligible n3 true");
    assertThat(journal.read(key()).isPresent()).as("journal of the live scale-in")
        .isEqualTo(started[0]);
    if (started[0]) {
      queued.remove(0).run();
      assertThat(cloud.count("asg")).isEqualTo(3);
    }
  }

  @Test
  void scaleDown_singleThreadExecutor_drainsRunInSequence_scaleInFinishes() throws Exception {
    java.util.concurrent.ExecutorService serial = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      ClusterTarget sequential = ClusterTarget.of(cloud, pool, journal, serial);

      sequential.scale(down(4, 2), config());

      // The scale-in is the serial executor's only running task; a task queued behind it ends when it does.
      java.util.concurrent.Future<?> after = serial.submit(() -> { });
      after.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(sequential.lastScaleIn(config())).hasValueSatisfying(o -> assertThat(o.removed())
          .containsExactly("n3", "n2"));
      assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-4");
    } finally {
      serial.shutdownNow();
    }
  }

  @Test
  void scaleDown_purge_removesTerminatedNodesFromScheduler() {
    target.scale(down(4, 3), config("node_purge", "true"));
    assertThat(pool.calls()).containsExactly("drain n3", "purge n3");
    assertThat(pool.node("n3")).isEmpty();
  }

  @Test
  void scaleDown_withoutPurge_keepsNodeRecord() {
    target.scale(down(4, 3), config());
    assertThat(pool.node("n3")).isPresent();
  }

  @Test
  void scaleDown_ignoreSystemJobs_leavesThemDuringDrain() {
    pool.ready("n5", "asg-5", "cloud", 0, 0, LOGS);
    cloud.setCount("asg", 5);
    target.scale(down(5, 4), config("node_selector_strategy", "empty_ignore_system", "node_drain_ignore_system_jobs",
        "true", "node_ready_check", "false"));
    assertThat(pool.calls()).containsExactly("drain n3");
  }

  @Test
  void scaleUp_raisesGroupSize() {
    target.scale(ScalingAction.to(4, 6, "up"), config());
    assertThat(cloud.count("asg")).isEqualTo(6);
    assertThat(pool.calls()).isEmpty();
  }

  @Test
  void scaleDown_withoutNodeGroup_lowersDesiredCountOnly() {
    target.scale(down(4, 3), Map.of(InMemoryTarget.GROUP_KEY, "asg"));
    assertThat(cloud.scaleActions()).singleElement().satisfies(a -> assertThat(a.count()).isEqualTo(3));
    assertThat(pool.calls()).isEmpty();
  }

  @Test
  void dryRun_touchesNothing() {
    target.scale(new ScalingAction(2, dev.capstan.spi.Direction.DOWN, "dry", Map.of(), true), config());
    assertThat(pool.calls()).isEmpty();
    assertThat(cloud.count("asg")).isEqualTo(4);
  }

  @Test
  void status_nodeInitializingOrDraining_notReady_unlessCheckOff() {
    pool.put(new Node("n9", Optional.of("asg-9"), "cloud", "dc1", "default", NodeStatus.INITIALIZING, true, false, 9,
        List.of(), Resources.NONE, new Resources(1000, 1024)));
    TargetStatus status = target.status(config());
    assertThat(status.ready()).isFalse();
    assertThat(status.meta().get(TargetStatus.META_NOT_READY_REASON))
        .isEqualTo("nodes of node_class=cloud are not ready: n9 (initializing)");
    assertThat(target.status(config("node_ready_check", "false")).ready()).isTrue();
  }

  @Test
  void statusAll_asksTheCloudOnceForAllGroups_andAddsNodeReadiness() {
    cloud.setCount("other", 2);
    pool.put(new Node("n9", Optional.of("asg-9"), "cloud", "dc1", "default", NodeStatus.INITIALIZING, true, false, 9,
        List.of(), Resources.NONE, new Resources(1000, 1024)));
    int[] batches = {0};
    class BatchingCloud implements dev.capstan.spi.Target, dev.capstan.spi.InstanceGroup {
      @Override
      public TargetStatus status(Map<String, String> c) {
        throw new AssertionError("statusAll must go to the cloud's statusAll, not one status per group");
      }

      @Override
      public List<TargetStatus> statusAll(List<Map<String, String>> configs) {
        batches[0]++;
        return configs.stream().map(cloud::status).toList();
      }

      @Override
      public void scale(ScalingAction a, Map<String, String> c) {
        cloud.scale(a, c);
      }

      @Override
      public void terminate(Map<String, String> c, List<String> ids) {
        cloud.terminate(c, ids);
      }

      @Override
      public void close() {}
    }
    ClusterTarget batched = ClusterTarget.of(new BatchingCloud(), pool, journal, Runnable::run);
    List<TargetStatus> statuses = batched.statusAll(List.of(config(), Map.of(InMemoryTarget.GROUP_KEY, "other")));
    assertThat(batches[0]).isEqualTo(1);
    assertThat(statuses).extracting(TargetStatus::count).containsExactly(4L, 2L);
    assertThat(statuses).extracting(TargetStatus::ready).containsExactly(false, true);
  }

  @Test
  void status_otherClassBusy_stillReady() {
    pool.put(new Node("pi9", Optional.empty(), "hashistack-rpi", "dc1", "default", NodeStatus.READY, false, true, 9,
        List.of(), Resources.NONE, Resources.NONE));
    assertThat(target.status(config()).ready()).isTrue();
  }

  /** A journal that dies, as the process would, when asked to record a given phase. */
  private static ScaleInJournal dyingAt(ScaleInJournal real, String phase) {
    return new ScaleInJournal() {
      @Override
      public Optional<String> read(String key) {
        return real.read(key);
      }

      @Override
      public void write(String key, String entry) {
        if (entry.contains("\"" + phase + "\"")) {
          throw new SimulatedCrash();
        }
        real.write(key, entry);
      }

      @Override
      public void remove(String key) {
        real.remove(key);
      }
    };
  }

  private static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void crashWhileDraining_restartRollsBack_nodesEligibleAndNothingTerminated() {
    ClusterTarget crashing = ClusterTarget.of(cloud, pool, dyingAt(journal, "DRAINED"), Runnable::run);
    assertThatThrownBy(() -> crashing.scale(down(4, 3), config())).isInstanceOf(SimulatedCrash.class);
    assertThat(pool.node("n3")).get().satisfies(n -> assertThat(n.eligible()).isFalse());

    ClusterTarget restarted = ClusterTarget.of(cloud, pool, journal, Runnable::run);
    assertThat(restarted.reconcile(config())).isTrue();
    assertThat(pool.node("n3")).get().satisfies(n -> assertThat(n.eligible()).isTrue());
    assertThat(cloud.count("asg")).isEqualTo(4);
    assertThat(restarted.reconcile(config())).as("journal cleared").isFalse();
  }

  @Test
  void crashBeforeTerminate_restartFinishesIt() {
    ScaleInJournal dying = dyingAfter(journal, "DRAINED"); // recorded the drain, died before terminating
    ClusterTarget crashing = ClusterTarget.of(cloud, pool, dying, Runnable::run);
    assertThatThrownBy(() -> crashing.scale(down(4, 3), config("node_purge", "true"))).isInstanceOf(SimulatedCrash.class);
    assertThat(cloud.count("asg")).as("drained but still running").isEqualTo(4);

    ClusterTarget restarted = ClusterTarget.of(cloud, pool, journal, Runnable::run);
    TargetStatus status = restarted.status(config("node_purge", "true"));
    assertThat(status.count()).as("the status call reconciled first, then read the cloud").isEqualTo(3);
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-2", "asg-4");
    assertThat(pool.node("n3")).as("purged").isEmpty();
  }

  @Test
  void crashAfterTerminate_restartDoesNotTerminateAgainButPurges() {
    ClusterTarget crashing = ClusterTarget.of(cloud, pool, dyingAt(journal, "TERMINATED"), Runnable::run);
    assertThatThrownBy(() -> crashing.scale(down(4, 3), config("node_purge", "true"))).isInstanceOf(SimulatedCrash.class);
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-2", "asg-4");
    int terminateCalls = (int) cloud.calls().stream().filter(c -> c.operation() == InMemoryTarget.Operation.TERMINATE).count();

    ClusterTarget restarted = ClusterTarget.of(cloud, pool, journal, Runnable::run);
    assertThat(restarted.reconcile(config("node_purge", "true"))).isTrue();
    assertThat(cloud.calls().stream().filter(c -> c.operation() == InMemoryTarget.Operation.TERMINATE).count())
        .isEqualTo(terminateCalls);
    assertThat(pool.node("n3")).isEmpty();
    assertThat(cloud.count("asg")).isEqualTo(3);
  }

  @Test
  void crashBeforeTerminate_fileStateStoreJournal_survivesRestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    ScaleInJournal durable = ScaleInJournal.in(dev.capstan.engine.StateStore.file(dir));
    ClusterTarget crashing = ClusterTarget.of(cloud, pool, dyingAfter(durable, "DRAINED"), Runnable::run);
    assertThatThrownBy(() -> crashing.scale(down(4, 3), config())).isInstanceOf(SimulatedCrash.class);

    // A new process: a fresh store over the same directory.
    ClusterTarget restarted = ClusterTarget.of(cloud, pool, ScaleInJournal.in(dev.capstan.engine.StateStore.file(dir)),
        Runnable::run);
    assertThat(restarted.reconcile(config())).isTrue();
    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-2", "asg-4");
    assertThat(ScaleInJournal.in(dev.capstan.engine.StateStore.file(dir)).read(key())).isEmpty();
  }

  /** A journal that records a phase and then dies, as the process would right after the write. */
  private static ScaleInJournal dyingAfter(ScaleInJournal real, String phase) {
    return new ScaleInJournal() {
      @Override
      public Optional<String> read(String key) {
        return real.read(key);
      }

      @Override
      public void write(String key, String entry) {
        real.write(key, entry);
        if (entry.contains("\"" + phase + "\"")) {
          throw new SimulatedCrash();
        }
      }

      @Override
      public void remove(String key) {
        real.remove(key);
      }
    };
  }

  @Test
  void crashWhileDraining_drainDeadlineEditedBeforeRestart_entryFoundAndNodesEligibleAgain() {
    ClusterTarget crashing = ClusterTarget.of(cloud, pool, dyingAt(journal, "DRAINED"), Runnable::run);
    assertThatThrownBy(() -> crashing.scale(down(4, 3), config("node_drain_deadline", "5m")))
        .isInstanceOf(SimulatedCrash.class);
    assertThat(pool.node("n3")).get().satisfies(n -> assertThat(n.eligible()).isFalse());

    // The operator raised the deadline before the agent came back.
    ClusterTarget restarted = ClusterTarget.of(cloud, pool, journal, Runnable::run);
    TargetStatus status = restarted.status(config("node_drain_deadline", "30m"));

    assertThat(pool.node("n3")).as("no node left ineligible").get().satisfies(n -> assertThat(n.eligible()).isTrue());
    assertThat(status.count()).isEqualTo(4);
    assertThat(journal.read(key())).isEmpty();
  }

  @Test
  void crashBeforeTerminate_purgeAndDeadlineEditedBeforeRestart_restartFinishesIt() {
    ClusterTarget crashing = ClusterTarget.of(cloud, pool, dyingAfter(journal, "DRAINED"), Runnable::run);
    assertThatThrownBy(() -> crashing.scale(down(4, 3), config("node_purge", "true"))).isInstanceOf(SimulatedCrash.class);

    ClusterTarget restarted = ClusterTarget.of(cloud, pool, journal, Runnable::run);
    assertThat(restarted.reconcile(config("node_drain_deadline", "1h", "node_selector_strategy", "empty")))
        .isTrue();

    assertThat(cloud.instances("asg")).containsExactly("asg-1", "asg-2", "asg-4");
    assertThat(pool.node("n3")).as("the journaled purge, not the edited block, decides").isEmpty();
  }

  @Test
  void entryOfTheFirstRelease_keyedByTheWholeMap_reconciledOnce() {
    ClusterTarget crashing = ClusterTarget.of(cloud, pool, dyingAt(journal, "DRAINED"), Runnable::run);
    assertThatThrownBy(() -> crashing.scale(down(4, 3), config())).isInstanceOf(SimulatedCrash.class);
    String entry = journal.read(key()).orElseThrow();
    journal.remove(key());
    journal.write(ClusterTarget.legacyJournalKey(config()), entry);

    ClusterTarget upgraded = ClusterTarget.of(cloud, pool, journal, Runnable::run);
    upgraded.status(config());

    assertThat(pool.node("n3")).get().satisfies(n -> assertThat(n.eligible()).isTrue());
    assertThat(journal.read(ClusterTarget.legacyJournalKey(config()))).isEmpty();
  }

  @Test
  void twoPoliciesOnOneGroup_differentAttributes_oneScaleInAtATime() {
    List<Runnable> queued = new java.util.ArrayList<>();
    boolean[] flowQueued = {false};
    ClusterTarget deferred = ClusterTarget.of(cloud, pool, journal, task -> {
      if (flowQueued[0]) {
        task.run();
      } else {
        flowQueued[0] = true;
        queued.add(task);
      }
    });
    dev.capstan.spi.TargetGroup first = deferred.bind(config("node_drain_deadline", "5m"));
    dev.capstan.spi.TargetGroup second = deferred.bind(config("node_drain_deadline", "1m", "node_purge", "true"));
    assertThat(second.id()).isEqualTo(first.id());

    first.scale(down(4, 3));

    assertThat(second.status().ready()).as("the other policy sees the group busy").isFalse();
    assertThatThrownBy(() -> second.scale(down(4, 2))).isInstanceOf(TargetException.class)
        .hasMessage("a scale-in of node_class=cloud is still running");
    queued.remove(0).run();
    assertThat(cloud.count("asg")).isEqualTo(3);
    assertThat(pool.calls()).containsExactly("drain n3");
  }

  @Test
  void twoNamedTargets_oneJournal_keysDiffer() {
    ClusterTarget web = ClusterTarget.of("web", cloud, pool, journal, Runnable::run);
    ClusterTarget batch = ClusterTarget.of("batch", cloud, pool, journal, Runnable::run);
    assertThat(web.journalKey(web.bind(config()))).isNotEqualTo(batch.journalKey(batch.bind(config())))
        .startsWith("cluster-scale-in web ");
  }

  @Test
  void bind_badClusterValueAndBadCloudKey_everyProblemReported() {
    ClusterTarget strict = ClusterTarget.of(new StrictCloud(cloud), pool, journal, Runnable::run);
    assertThatThrownBy(() -> strict.bind(config("node_purge", "yes", "aws_asg_nme", "web")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
            "node_purge was 'yes' but it must be true or false",
            "'aws_asg_nme' is not a known key"));
  }

  @Test
  void bind_badClusterValueWithoutNodeGroup_stillRejected() {
    assertThatThrownBy(() -> target.bind(Map.of(InMemoryTarget.GROUP_KEY, "asg", "node_drain_deadline", "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("node_drain_deadline was 'soon'");
  }

  @Test
  void bind_callsNoCloudAndNoPool() {
    target.bind(config("node_purge", "true"));
    assertThat(cloud.calls()).isEmpty();
    assertThat(pool.calls()).isEmpty();
  }

  @Test
  void statusOf_readsTheCloudWithOneStatusOf_andListsNodesOnce() {
    cloud.setCount("other", 2);
    StrictCloud batching = new StrictCloud(cloud);
    int[] listings = {0};
    NodePool counting = new CountingPool(pool, listings);
    ClusterTarget batched = ClusterTarget.of(batching, counting, journal, Runnable::run);
    List<dev.capstan.spi.TargetGroup> groups = List.of(batched.bind(config()),
        batched.bind(config("node_ready_check", "true")), batched.bind(Map.of(InMemoryTarget.GROUP_KEY, "other")));

    List<dev.capstan.spi.GroupStatus> statuses = batched.statusOf(groups);

    assertThat(batching.statusOfCalls).isEqualTo(1);
    assertThat(listings[0]).isEqualTo(1);
    assertThat(statuses).extracting(s -> s.status().orElseThrow().count()).containsExactly(4L, 4L, 2L);
  }

  @Test
  void statusOf_oneGroupMissing_failsOnlyItsEntry() {
    List<dev.capstan.spi.TargetGroup> groups = List.of(target.bind(config()),
        target.bind(Map.of(InMemoryTarget.GROUP_KEY, "gone", "node_class", "cloud")));

    List<dev.capstan.spi.GroupStatus> statuses = target.statusOf(groups);

    assertThat(statuses.get(0).isOk()).isTrue();
    assertThat(statuses.get(1).error()).isPresent();
  }

  @Test
  void statusOf_groupOfAnotherTarget_rejected() {
    ClusterTarget other = ClusterTarget.of(cloud, pool, journal, Runnable::run);
    assertThatThrownBy(() -> target.statusOf(List.of(other.bind(config()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was not bound by this cluster target");
  }

  /** A cloud written against the bound SPI: validates at bind and batches in statusOf. */
  private static final class StrictCloud implements dev.capstan.spi.Target, dev.capstan.spi.InstanceGroup {
    private final InMemoryTarget cloud;
    int statusOfCalls;

    StrictCloud(InMemoryTarget cloud) {
      this.cloud = cloud;
    }

    @Override
    public dev.capstan.spi.TargetGroup bind(Map<String, String> c) {
      List<String> unknown = c.keySet().stream().filter(k -> !k.equals(InMemoryTarget.GROUP_KEY))
          .filter(k -> !dev.capstan.spi.InstanceGroup.CLUSTER_KEYS.contains(k)).sorted().toList();
      if (!unknown.isEmpty()) {
        throw new ConfigException("strict target", unknown.stream().map(k -> "'" + k + "' is not a known key").toList());
      }
      Map<String, String> copy = Map.copyOf(c);
      return new dev.capstan.spi.InstanceTargetGroup() {
        @Override
        public String id() {
          return "strict:" + copy.get(InMemoryTarget.GROUP_KEY);
        }

        @Override
        public TargetStatus status() {
          throw new AssertionError("statusOf must read the cloud in one batch, not one status per group");
        }

        @Override
        public void scale(ScalingAction action) {
          cloud.scale(action, copy);
        }

        @Override
        public void terminate(List<String> ids) {
          cloud.terminate(copy, ids);
        }

        Map<String, String> config() {
          return copy;
        }

        @Override
        public String toString() {
          return id();
        }
      };
    }

    @Override
    public List<dev.capstan.spi.GroupStatus> statusOf(List<? extends dev.capstan.spi.TargetGroup> groups) {
      statusOfCalls++;
      return groups.stream().map(g -> dev.capstan.spi.GroupStatus.of(cloud.status(Map.of(InMemoryTarget.GROUP_KEY,
          g.id().substring("strict:".length()))))).toList();
    }

    @Override
    public TargetStatus status(Map<String, String> c) {
      return bind(c).status();
    }

    @Override
    public void scale(ScalingAction a, Map<String, String> c) {
      bind(c).scale(a);
    }

    @Override
    public void terminate(Map<String, String> c, List<String> ids) {
      cloud.terminate(c, ids);
    }

    @Override
    public void close() {}
  }

  /** A node pool that counts how often its nodes are listed. */
  private record CountingPool(NodePool pool, int[] listings) implements NodePool {
    @Override
    public List<Node> nodes() {
      listings[0]++;
      return pool.nodes();
    }

    @Override
    public void drain(String nodeId, DrainSpec spec) {
      pool.drain(nodeId, spec);
    }

    @Override
    public void setEligibility(String nodeId, boolean eligible) {
      pool.setEligibility(nodeId, eligible);
    }

    @Override
    public void purge(String nodeId) {
      pool.purge(nodeId);
    }

    @Override
    public void close() {
      pool.close();
    }
  }

  @Test
  void nodePoolProvider_unknownName_listsAvailable() {
    assertThatThrownBy(() -> NodePoolProvider.load("nomad", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("unknown node pool 'nomad'; available:");
  }

  @Test
  void wrap_targetThatCannotTerminate_rejected() {
    dev.capstan.spi.Target plain = new dev.capstan.spi.Target() {
      @Override
      public TargetStatus status(Map<String, String> c) {
        return TargetStatus.ready(1);
      }

      @Override
      public void scale(ScalingAction a, Map<String, String> c) {}

      @Override
      public void close() {}
    };
    assertThatThrownBy(() -> ClusterTarget.of(plain, pool, journal))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an InstanceGroup");
  }

  @Test
  void close_whileDraining_journalKeptForTheNextStartToRollBack() throws Exception {
    java.util.concurrent.CountDownLatch draining = new java.util.concurrent.CountDownLatch(1);
    NodePool slowPool = new NodePool() {
      @Override
      public List<Node> nodes() {
        return pool.nodes();
      }

      @Override
      public void drain(String nodeId, DrainSpec spec) {
        pool.drain(nodeId, spec);
        draining.countDown();
        try {
          new java.util.concurrent.CountDownLatch(1).await(); // the drain deadline is far away
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new NodePoolException("drain of node " + nodeId + " interrupted");
        }
      }

      @Override
      public void setEligibility(String nodeId, boolean eligible) {
        pool.setEligibility(nodeId, eligible);
      }

      @Override
      public void purge(String nodeId) {
        pool.purge(nodeId);
      }

      @Override
      public void close() {
        pool.close();
      }
    };
    ClusterTarget owning = ClusterTarget.of(cloud, slowPool, journal);
    owning.scale(down(4, 3), config());
    assertThat(draining.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    owning.close();

    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (owning.lastScaleIn(config()).isEmpty()) {
      assertThat(System.nanoTime()).as("the scale-in did not end after close").isLessThan(deadline);
      Thread.onSpinWait();
    }
    // The pool was closed under the scale-in: rolling back then would be lost with the journal entry.
    assertThat(journal.read(key())).as("journal entry for the next start").isPresent();
    assertThat(cloud.count("asg")).isEqualTo(4);
    ClusterTarget restarted = ClusterTarget.of(cloud, pool, journal, Runnable::run);
    assertThat(restarted.reconcile(config())).isTrue();
    assertThat(pool.node("n3")).get().satisfies(n -> assertThat(n.eligible()).isTrue());
  }

  @Test
  void close_closesPoolAndCloud() {
    target.close();
    assertThat(pool.isClosed()).isTrue();
    assertThat(cloud.isClosed()).isTrue();
  }
}
