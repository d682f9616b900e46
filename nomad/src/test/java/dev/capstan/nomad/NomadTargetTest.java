package dev.capstan.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetException;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import dev.capstan.testkit.FakeNomad;
import dev.capstan.testkit.LocalHttpServer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class NomadTargetTest {
  private FakeNomad nomad;
  private LocalHttpServer server;
  private NomadTarget target;
  private TargetGroup web;

  @BeforeEach
  void setUp() {
    nomad = new FakeNomad();
    nomad.addJob("apps", "web", Map.of("frontend", 2L));
    server = LocalHttpServer.start(nomad);
    target = NomadTargetProvider.create(Map.of("nomad_address", server.uri().toString()), name -> null);
    web = target.bind(Map.of("Job", "web", "Group", "frontend", "Namespace", "apps"));
  }

  @AfterEach
  void tearDown() {
    target.close();
    server.close();
  }

  @Test
  void scale_sendsCountMessageAndMeta_eventBecomesLastEvent() {
    web.scale(new ScalingAction(4, dev.capstan.spi.Direction.UP, "cpu above 70%", Map.of("policy", "p1"), false));

    assertThat(nomad.count("apps", "web", "frontend")).isEqualTo(4);
    assertThat(nomad.scalingEvents("apps", "web", "frontend")).singleElement().satisfies(e -> {
      assertThat(e).containsEntry("Message", "cpu above 70%").containsEntry("Meta", Map.of("policy", "p1"));
    });
    TargetStatus status = web.status();
    assertThat(status.count()).isEqualTo(4);
    long eventNanos = (Long) nomad.scalingEvents("apps", "web", "frontend").get(0).get("Time");
    assertThat(status.meta()).containsEntry(TargetStatus.META_LAST_EVENT, Long.toString(eventNanos / 1_000_000L));
    assertThat(server.requests()).allSatisfy(r -> assertThat(r.queryParams()).containsEntry("namespace", "apps"));
  }

  @Test
  void status_activeDeployment_notReady_thenReadyWhenSuccessful() {
    nomad.setDeployment("apps", "web", "running");
    assertThat(web.status().ready()).isFalse();
    assertThat(web.status().meta().get(TargetStatus.META_NOT_READY_REASON)).contains("is running");
    nomad.setDeployment("apps", "web", "successful");
    assertThat(web.status().ready()).isTrue();
  }

  @Test
  void status_stoppedJob_notReady() {
    nomad.setStopped("apps", "web", true);
    assertThat(web.status().ready()).isFalse();
    assertThat(web.status().meta()).containsEntry(TargetStatus.META_NOT_READY_REASON, "job web is stopped");
  }

  @Test
  void scale_nomadsRefusals_becomeClearTargetExceptions() {
    nomad.setScalingBounds("apps", "web", "frontend", 1, 5);
    assertThatThrownBy(() -> web.scale(ScalingAction.to(2, 9, "x"))).isInstanceOf(TargetException.class)
        .hasMessageContaining("web/frontend").hasMessageContaining("400 group count was greater than scaling policy maximum: 9 > 5");
    nomad.setDeployment("apps", "web", "running");
    assertThatThrownBy(() -> web.scale(ScalingAction.to(2, 3, "x"))).isInstanceOf(TargetException.class)
        .hasMessageContaining("job scaling blocked due to active deployment");
  }

  @Test
  void status_otherNamespace_jobNotFound() {
    TargetGroup elsewhere = target.bind(Map.of("Job", "web", "Group", "frontend"));
    assertThatThrownBy(elsewhere::status).isInstanceOf(TargetException.class)
        .hasMessageContaining("namespace default").hasMessageContaining("404 job not found");
  }

  @Test
  void aliases_nomadTargetNameFindsTheSameProvider() {
    assertThat(dev.capstan.Plugins.targetProvider("nomad-target")).isInstanceOf(NomadTargetProvider.class);
    assertThat(dev.capstan.Plugins.targetProvider("nomad")).isInstanceOf(NomadTargetProvider.class);
  }
}
