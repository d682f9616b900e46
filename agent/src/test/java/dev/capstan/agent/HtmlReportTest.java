package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class HtmlReportTest {
  private static SimulationResult result(String name) {
    Timeline timeline = new Timeline();
    for (int m = 0; m < 120; m++) {
      timeline.add(20_000 + 100 * m, 24_000 + (m >= 60 ? 4000 : 0), m >= 55 ? 1 : 0);
    }
    List<SimulationResult.Event> actions = List.of(new SimulationResult.Event(Duration.ofMinutes(55), 0, 1, "load <high>"));
    return new SimulationResult(name, "p.hcl", CloudProfile.forTarget("aws-asg"), 12, Simulator.START, 24_000,
        timeline, actions, List.of(), 120, 1.1, 0.07, 3, 1, List.of());
  }

  @Test
  void render_heldEvaluations_listsThemWithTheRuleThatHeldThem() {
    SimulationResult r = result("a");
    SimulationResult withHeld = new SimulationResult(r.policyName(), r.origin(), r.profile(), r.max(), r.start(),
        r.onpremMhz(), r.timeline(), r.actions(), List.of(new SimulationResult.Event(Duration.ofMinutes(70), 1, 1,
            "scale-down stabilized to 1: the highest recommendation within the 5m0s scale_down window")),
        r.evaluations(), r.instanceHours(), r.cost(), r.minutesOverCapacity(), r.peakCount(), r.problems());

    assertThat(HtmlReport.render("s", List.of(withHeld)))
        .contains("1 evaluations held back: a check wanted a change the rules did not make")
        .contains("<li>Mon 01:10: stays 1 (scale-down stabilized to 1: the highest recommendation within the 5m0s "
            + "scale_down window)</li>");
    assertThat(HtmlReport.render("s", List.of(r))).doesNotContain("held back");
  }

  @Test
  void render_userText_isEscaped() {
    String html = HtmlReport.render("scenario & more", List.of(result("<script>x</script>")));

    assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;x&lt;/script&gt;")
        .contains("scenario &amp; more").contains("load &lt;high&gt;");
  }

  @Test
  void render_onePolicy_drawsOneChartWithItsActionMarker() {
    String html = HtmlReport.render("s", List.of(result("a"), result("b")));

    assertThat(html.split("<svg ", -1)).hasSize(3);
    assertThat(html).contains("<title>Mon 00:55: 0 \u2192 1 (load &lt;high&gt;)</title>");
  }

  @Test
  void niceCeiling_roundsUpToAScaleWithRoundQuarters() {
    assertThat(HtmlReport.niceCeiling(50_400)).isEqualTo(60_000);
    assertThat(HtmlReport.niceCeiling(24_000)).isEqualTo(24_000);
    assertThat(HtmlReport.niceCeiling(25_000)).isEqualTo(30_000);
    assertThat(HtmlReport.niceCeiling(0.9)).isEqualTo(1);
    assertThat(HtmlReport.niceCeiling(0)).isEqualTo(1);
  }
}
