package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.policy.Policies;
import dev.capstan.policy.ScalingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

final class SimulatorTest {
  private static final Duration TWO_DAYS = Duration.ofHours(48);
  private static final Path AWS_EXAMPLE = Path.of("../examples/policies/aws-burst.hcl");

  private static SimulationResult simulate(ScalingPolicy policy) {
    Workload workload = Workload.generate(42, Simulator.START, TWO_DAYS);
    return new Simulator(workload, TWO_DAYS).run(policy, s -> { });
  }

  private static ScalingPolicy awsExampleWith(String from, String to) throws IOException {
    String text = Files.readString(AWS_EXAMPLE);
    assertThat(text).contains(from);
    return Policies.parse(text.replace(from, to), "edited aws-burst.hcl").get(0);
  }

  /**
   * The README's run. These numbers change if the engine (cooldowns, readiness, clamping), the
   * target-value strategy or the simulator's world changes; update them only for an intended change.
   */
  @Test
  void run_awsExampleSeed42_givesTheRecordedSummary() {
    ScalingPolicy aws = SimulateCommand.examples().get(0);
    assertThat(aws.name()).isEqualTo("aws_burst");

    SimulationResult r = simulate(aws);

    assertThat(r.evaluations()).isEqualTo(2879);
    assertThat(r.actions()).hasSize(21);
    assertThat(r.scaleUps()).isEqualTo(9);
    assertThat(r.scaleDowns()).isEqualTo(12);
    assertThat(r.instanceHours()).isCloseTo(580 / 60.0, Offset.offset(1e-9));
    assertThat(r.cost()).isCloseTo(580 / 60.0 * 0.0672, Offset.offset(1e-9));
    assertThat(r.minutesOverCapacity()).isEqualTo(34);
    assertThat(r.peakCount()).isEqualTo(7);
    assertThat(r.problems()).isEmpty();
    // min = 0: at midnight after the last burst no cloud instance is left.
    assertThat(r.timeline().desired(r.timeline().size() - 1)).isZero();
  }

  /**
   * The behavior example beside the plain one (docs/simulator.md's table): the 5 minute scale-down window
   * removes the flaps (1→2 at 17:28, 2→1 at 17:34, 1→2 at 17:47 in the plain run) for about one
   * instance-hour more.
   */
  @Test
  void run_steadyExampleSeed42_fewerActions_noMoreMinutesOverCapacity() {
    ScalingPolicy steady = SimulateCommand.examples().get(1);
    assertThat(steady.name()).isEqualTo("aws_burst_steady");

    SimulationResult plain = simulate(SimulateCommand.examples().get(0));
    SimulationResult r = simulate(steady);

    assertThat(r.actions()).hasSize(15);
    assertThat(r.scaleUps()).isEqualTo(7);
    assertThat(r.scaleDowns()).isEqualTo(8);
    assertThat(r.minutesOverCapacity()).isEqualTo(22);
    assertThat(r.peakCount()).isEqualTo(6);
    assertThat(r.problems()).isEmpty();
    assertThat(r.actions()).hasSizeLessThan(plain.actions().size());
    assertThat(r.minutesOverCapacity()).isLessThanOrEqualTo(plain.minutesOverCapacity());
    assertThat(r.instanceHours()).isGreaterThan(plain.instanceHours());
  }

  @Test
  void run_steadyExample_listsTheEvaluationsItsWindowHeldBack_withTheNumbers() {
    SimulationResult plain = simulate(SimulateCommand.examples().get(0));
    SimulationResult steady = simulate(SimulateCommand.examples().get(1));

    // 17:34, where the plain policy gives its second instance back, the window keeps it.
    assertThat(steady.held()).anySatisfy(e -> {
      assertThat(e.at()).isBetween(Duration.ofHours(17).plusMinutes(34), Duration.ofHours(17).plusMinutes(35));
      assertThat(e.from()).isEqualTo(2);
      assertThat(e.reason()).contains("check 'cloud_cpu_allocated_percentage' wants 1 (down from 2)")
          .contains("scale-down stabilized to 2: the highest recommendation within the 5m0s scale_down window");
    });
    assertThat(plain.held()).isEmpty();
  }

  @Test
  void run_higherTarget_usesFewerInstanceHoursAndNeverLessTimeOverCapacity() throws IOException {
    SimulationResult at70 = simulate(SimulateCommand.examples().get(0));
    SimulationResult at95 = simulate(awsExampleWith("target = 70", "target = 95"));

    assertThat(at95.instanceHours()).isLessThan(at70.instanceHours());
    assertThat(at95.minutesOverCapacity()).isGreaterThanOrEqualTo(at70.minutesOverCapacity());
  }

  @Test
  void run_strategyWithBadConfig_scalesNothingAndReportsWhy() throws IOException {
    SimulationResult r = simulate(awsExampleWith("target = 70", "target = \"lots\""));

    assertThat(r.actions()).isEmpty();
    assertThat(r.instanceHours()).isZero();
    assertThat(r.problems()).isNotEmpty().anySatisfy(p -> assertThat(p).contains("target").contains("lots"));
  }

  @Test
  void examples_listEveryPolicyFileOfTheExamplesDirectory() throws IOException {
    try (var files = Files.list(Path.of("../examples/policies"))) {
      assertThat(files.map(f -> f.getFileName().toString()).toList())
          .containsExactlyInAnyOrderElementsOf(SimulateCommand.EXAMPLES);
    }
    assertThat(SimulateCommand.examples()).extracting(ScalingPolicy::name)
        .containsExactly("aws_burst", "aws_burst_steady", "gce_burst", "azure_burst");
  }

  @Test
  void run_gceAndAzureExamples_differOnlyByTheirCloudsProfile() {
    List<ScalingPolicy> examples = SimulateCommand.examples();

    SimulationResult gce = simulate(examples.get(2));
    SimulationResult azure = simulate(examples.get(3));

    assertThat(gce.profile().target()).isEqualTo("gce-mig");
    assertThat(azure.profile().target()).isEqualTo("azure-vmss");
    // Azure boots slowest, so its load waits longest for capacity.
    assertThat(azure.minutesOverCapacity()).isGreaterThan(gce.minutesOverCapacity());
  }
}
