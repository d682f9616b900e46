package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.capstan.spi.Direction;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class PolicyStateJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  private static PolicyState roundTrip(PolicyState state) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    PolicyStateJson.write(state, root);
    return PolicyStateJson.read(JSON.readTree(JSON.writeValueAsString(root)));
  }

  @Test
  void behaviorHistory_roundTrips() throws Exception {
    BehaviorHistory history = new BehaviorHistory(
        List.of(new BehaviorHistory.Recommendation(10, AT), new BehaviorHistory.Recommendation(2, AT.plusSeconds(15))),
        List.of(new BehaviorHistory.ScaleEvent(4, AT.plusSeconds(30))),
        List.of(new BehaviorHistory.ScaleEvent(1, AT.plusSeconds(45))));
    PolicyState state = new PolicyState(Optional.of(new PolicyState.LastAction(9, Direction.DOWN, AT.plusSeconds(45))),
        AT.plusSeconds(345), true, Optional.of(AT), history);

    assertThat(roundTrip(state)).isEqualTo(state);
  }

  @Test
  void stateWithoutBehavior_writesNoBehaviorField() throws Exception {
    ObjectNode root = JSON.createObjectNode();
    PolicyStateJson.write(PolicyState.INITIAL, root);

    assertThat(root.has("behavior")).isFalse();
    assertThat(roundTrip(PolicyState.INITIAL)).isEqualTo(PolicyState.INITIAL);
  }

  @Test
  void fileOfAnOlderVersion_readsWithAnEmptyHistory() throws Exception {
    PolicyState read = PolicyStateJson.read(JSON.readTree("{\"cooldownUntil\":\"2026-01-01T00:05:00Z\"}"));

    assertThat(read.behavior()).isEqualTo(BehaviorHistory.EMPTY);
  }
}
