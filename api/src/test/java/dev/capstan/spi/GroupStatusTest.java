package dev.capstan.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

final class GroupStatusTest {

  @Test
  void allOrThrow_everyGroupRead_returnsTheStatusesInOrder() {
    List<TargetStatus> statuses = GroupStatus.allOrThrow(List.of(GroupStatus.of(TargetStatus.ready(1)),
        GroupStatus.of(TargetStatus.ready(2))));

    assertThat(statuses).extracting(TargetStatus::count).containsExactly(1L, 2L);
  }

  @Test
  void allOrThrow_aGroupFailed_throwsTheFirstFailure() {
    TargetException first = new TargetException("group a was not found");

    assertThatThrownBy(() -> GroupStatus.allOrThrow(List.of(GroupStatus.of(TargetStatus.ready(1)),
        GroupStatus.failed(first), GroupStatus.failed(new TargetException("group b was not found")))))
        .isSameAs(first);
  }

  @Test
  void accessors_sayWhichSideIsPresent() {
    GroupStatus ok = GroupStatus.of(TargetStatus.ready(3));
    GroupStatus failed = GroupStatus.failed(new TargetException("boom"));

    assertThat(ok.isOk()).isTrue();
    assertThat(ok.error()).isEmpty();
    assertThat(failed.isOk()).isFalse();
    assertThat(failed.status()).isEmpty();
    assertThat(failed.toString()).contains("boom");
  }
}
