package dev.capstan.ha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class RendezvousTest {
  private static final List<String> POLICIES = IntStream.range(0, 300).mapToObj(i -> "policy-" + i).toList();

  private static Map<String, String> owners(List<String> members) {
    Map<String, String> owners = new HashMap<>();
    for (String p : POLICIES) {
      owners.put(p, Rendezvous.owner(members, p).orElseThrow());
    }
    return owners;
  }

  @Test
  void owner_memberLeaves_onlyItsPoliciesMove() {
    Map<String, String> before = owners(List.of("a", "b", "c"));
    Map<String, String> after = owners(List.of("a", "c"));

    for (String p : POLICIES) {
      if (!before.get(p).equals("b")) {
        assertThat(after.get(p)).as(p).isEqualTo(before.get(p));
      }
    }
  }

  @Test
  void owner_threeMembers_shareRoughlyEvenly() {
    Map<String, Long> counts = new HashMap<>();
    owners(List.of("a", "b", "c")).values().forEach(m -> counts.merge(m, 1L, Long::sum));

    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(70L, 130L));
  }

  @Test
  void owner_memberOrder_doesNotMatter() {
    assertThat(owners(List.of("c", "a", "b"))).isEqualTo(owners(List.of("a", "b", "c")));
  }

  @Test
  void owner_noMembers_isEmpty() {
    assertThat(Rendezvous.owner(List.of(), "p")).isEmpty();
  }
}
