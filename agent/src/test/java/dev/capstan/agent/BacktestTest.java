package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.engine.Outcome;
import dev.capstan.engine.ScalingDecision;
import dev.capstan.policy.Policies;
import dev.capstan.policy.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

final class BacktestTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  private static final Duration STEP = Duration.ofSeconds(15);
  /** One hour at 15 s. */
  private static final int POINTS = 240;

  static ScalingPolicy policy(String check) {
    return Policies.parse("""
        scaling "p" {
          min = 1
          max = 10
          policy {
            cooldown            = "5m"
            evaluation_interval = "1m"
            %s
            target "aws-asg" { aws_asg_name = "g" }
          }
        }
        """.formatted(check), "test.hcl").get(0);
  }

  static final String CPU_TARGET_50 = """
      check "cpu" {
        source       = "prometheus"
        query        = "cpu_percent"
        query_window = "1m"
        strategy "target-value" { target = 50 }
      }""";

  private static double[] constant(double v) {
    double[] a = new double[POINTS];
    Arrays.fill(a, v);
    return a;
  }

  /** 50 % of two instances for the first half hour, then 150 % of them: a demand of 1, then 3 instances. */
  private static History stepLoad() {
    double[] cpu = constant(50);
    Arrays.fill(cpu, POINTS / 2, POINTS, 150);
    return History.builder(T0, STEP).series("cpu", cpu).recordedSize(constant(2)).build();
  }

  @Test
  void run_fixedValuePolicy_usesValueTimesHoursInstanceHours() {
    ScalingPolicy fixed = policy("check \"f\" { strategy \"fixed-value\" { value = 3 } }");
    History history = History.builder(T0, STEP).series("unused", constant(1)).build();

    BacktestResult.Run run = Backtest.builder().policy(fixed).history(history).startingCount(3).pricePerHour(0.5)
        .build().run().runs().get(0);

    assertThat(run.instanceHours()).isEqualTo(3.0);
    assertThat(run.cost()).isEqualTo(1.5);
    assertThat(run.actionCount()).isZero();
    assertThat(run.peakCount()).isEqualTo(3);
    assertThat(run.problems()).isEmpty();
    assertThat(run.decisions()).hasSize(59).allSatisfy(d -> assertThat(d.outcome()).isEqualTo(Outcome.NO_CHANGE));
  }

  @Test
  void run_targetValueOnStepLoad_scalesOnceAtTheStepAsComputedByHand() {
    BacktestResult.Run run = Backtest.builder().policy(policy(CPU_TARGET_50)).history(stepLoad())
        .check("cpu", CheckKind.UTILIZATION).startingCount(2).bootDelay(Duration.ofMinutes(2)).pricePerHour(1)
        .build().run().runs().get(0);

    // At 00:30 the replayed CPU is 150 % of 2 booted: ceil(2 x 150 / 50) = 6. The 4 new instances take
    // work at 00:32; until then the demand of 3 exceeds the 2 booted: 2 minutes under capacity.
    assertThat(run.actions()).singleElement().satisfies(d -> {
      assertThat(d.time()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
      assertThat(d.currentCount()).hasValue(2);
      assertThat(d.action().orElseThrow().count()).isEqualTo(6);
    });
    assertThat(run.minutesUnderCapacity()).isCloseTo(2.0, Offset.offset(1e-9));
    assertThat(run.instanceHours()).isCloseTo(2 * 1.0 + 4 * 0.5, Offset.offset(1e-9));
    assertThat(run.cost()).isCloseTo(4.0, Offset.offset(1e-9));
    assertThat(run.peakCount()).isEqualTo(6);
    ScalingDecision at31 = decisionAt(run, 31);
    assertThat(at31.outcome()).isEqualTo(Outcome.SKIPPED_NOT_READY);
  }

  @Test
  void run_utilizationAtDifferentCapacity_replaysDemandOverSimulatedBootedInstances() {
    BacktestResult.Run run = Backtest.builder().policy(policy(CPU_TARGET_50)).history(stepLoad())
        .check("cpu", CheckKind.UTILIZATION).startingCount(2).bootDelay(Duration.ofMinutes(2))
        .build().run().runs().get(0);

    // Recorded 50 % of 2 = 1 instance of demand; the simulated group also has 2: 50 % again.
    assertThat(decisionAt(run, 10).checks().get(0).latest()).hasValue(50.0);
    // 150 % of 2 = 3 instances; at 00:30 still 2 booted: 150 %; from 00:32, 6 booted: 3 / 6 = 50 %.
    assertThat(decisionAt(run, 30).checks().get(0).latest()).hasValue(150.0);
    assertThat(pointAt(run, 31).replayed()).isEqualTo(150.0);
    assertThat(pointAt(run, 33).replayed()).isEqualTo(50.0);
    assertThat(pointAt(run, 33).recorded()).isEqualTo(150.0);
    assertThat(pointAt(run, 33).demand()).isEqualTo(3.0);
    assertThat(pointAt(run, 33).booted()).isEqualTo(6);
  }

  @Test
  void run_capacityIndependentCheck_replaysAsRecordedAndDemandIsValueOverCapacity() {
    String queue = """
        check "queue" {
          source = "prometheus"
          query  = "ceil(jobs_waiting / 100)"
          strategy "pass-through" {}
        }""";
    History history = History.builder(T0, STEP).series("queue", constant(3)).build();

    BacktestResult.Run run = Backtest.builder().policy(policy(queue)).history(history)
        .check("queue", CheckKind.CAPACITY_INDEPENDENT).startingCount(1).capacityPerInstance(1)
        .bootDelay(Duration.ZERO).build().run().runs().get(0);

    // 3 / 1 = 3 instances of demand, 1 booted until the first evaluation, at 00:01, scales to 3.
    assertThat(decisionAt(run, 1).checks().get(0).latest()).hasValue(3.0);
    assertThat(run.actions()).singleElement().satisfies(d -> assertThat(d.action().orElseThrow().count()).isEqualTo(3));
    assertThat(run.minutesUnderCapacity()).isCloseTo(1.0, Offset.offset(1e-9));
  }

  @Test
  void run_sweepOfTarget_replaysOneRunPerValue() {
    BacktestResult result = Backtest.builder().policy(policy(CPU_TARGET_50)).history(stepLoad())
        .check("cpu", CheckKind.UTILIZATION).startingCount(2).sweep("target", List.of("50", "75"))
        .build().run();

    assertThat(result.runs()).extracting(BacktestResult.Run::label).containsExactly("p target=50", "p target=75");
    // target 75: ceil(2 x 150 / 75) = 4.
    assertThat(result.runs().get(1).actions()).singleElement()
        .satisfies(d -> assertThat(d.action().orElseThrow().count()).isEqualTo(4));
  }

  @Test
  void run_sweepOfTwoAttributes_replaysEveryCombination_firstVaryingSlowest() {
    BacktestResult result = Backtest.builder().policy(policy(CPU_TARGET_50)).history(stepLoad())
        .check("cpu", CheckKind.UTILIZATION).startingCount(2).sweep("target", List.of("50", "75"))
        .sweep("max", List.of("3", "10")).build().run();

    assertThat(result.runs()).extracting(BacktestResult.Run::label).containsExactly("p target=50 max=3",
        "p target=50 max=10", "p target=75 max=3", "p target=75 max=10");
    // The demand step wants ceil(2 x 150 / 50) = 6 at target 50 and 4 at target 75; max 3 caps both.
    assertThat(result.runs()).extracting(r -> r.actions().get(0).action().orElseThrow().count())
        .containsExactly(3L, 6L, 3L, 4L);
  }

  @Test
  void sweep_sameAttributeTwiceOrWithoutValues_isRefused() {
    assertThatThrownBy(() -> Backtest.builder().sweep("target", List.of("50")).sweep("target", List.of("60")))
        .isInstanceOf(BacktestException.class)
        .hasMessage("'target' is swept twice; give all its values in one sweep");
    assertThatThrownBy(() -> Backtest.builder().sweep("target", List.of()))
        .isInstanceOf(BacktestException.class).hasMessage("the sweep of 'target' has no values");
  }

  @Test
  void build_sweepValueRepeated_isRefusedNamingIt() {
    assertThatThrownBy(() -> Backtest.builder().policy(policy(CPU_TARGET_50)).history(stepLoad())
        .check("cpu", CheckKind.UTILIZATION).sweep("target", List.of("50", "50")).build())
        .isInstanceOf(BacktestException.class).hasMessage("the sweep of 'target' has the value '50' twice");
  }

  @Test
  void build_undeclaredCheck_namesTheCheckAndBothKinds() {
    assertThatThrownBy(() -> Backtest.builder().policy(policy(CPU_TARGET_50)).history(stepLoad()).build())
        .isInstanceOf(BacktestException.class)
        .hasMessageContaining("test.hcl: policy 'p', check 'cpu'")
        .hasMessageContaining("utilization").hasMessageContaining("capacity-independent");
  }

  @Test
  void build_utilizationWithoutRecordedSize_isRefused() {
    History noSize = History.builder(T0, STEP).series("cpu", constant(50)).build();

    assertThatThrownBy(() -> Backtest.builder().policy(policy(CPU_TARGET_50)).history(noSize)
        .check("cpu", CheckKind.UTILIZATION).build())
        .isInstanceOf(BacktestException.class).hasMessageContaining("group size recorded");
  }

  @Test
  void build_sweepOfUnknownKey_isRefusedNamingTheKey() {
    assertThatThrownBy(() -> Backtest.builder().policy(policy(CPU_TARGET_50)).history(stepLoad())
        .check("cpu", CheckKind.UTILIZATION).sweep("targte", List.of("1")).build())
        .isInstanceOf(BacktestException.class).hasMessageContaining("no check's strategy has a key 'targte'");
  }

  @Test
  void build_sweepValueTheStrategyRefuses_isRefusedNamingTheValue() {
    assertThatThrownBy(() -> Backtest.builder().policy(policy(CPU_TARGET_50)).history(stepLoad())
        .check("cpu", CheckKind.UTILIZATION).sweep("target", List.of("lots")).build())
        .isInstanceOf(BacktestException.class).hasMessageContaining("target=lots").hasMessageContaining("lots");
  }

  private static ScalingDecision decisionAt(BacktestResult.Run run, int minute) {
    Instant t = T0.plus(Duration.ofMinutes(minute));
    return run.decisions().stream().filter(d -> d.time().equals(t)).findFirst().orElseThrow();
  }

  private static BacktestResult.Point pointAt(BacktestResult.Run run, int minute) {
    Instant t = T0.plus(Duration.ofMinutes(minute));
    return run.trace().stream().filter(p -> p.time().equals(t)).findFirst().orElseThrow();
  }
}
