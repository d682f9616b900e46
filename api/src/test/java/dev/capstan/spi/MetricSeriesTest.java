package dev.capstan.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class MetricSeriesTest {

  @Test
  void of_validPoints_readsBackOldestFirst() {
    MetricSeries s = MetricSeries.of(new long[] {1, 2, 2, 5}, new double[] {0.5, 1, 2, -3});
    assertThat(s.size()).isEqualTo(4);
    assertThat(s.timestamp(0)).isEqualTo(1);
    assertThat(s.value(3)).isEqualTo(-3);
    assertThat(s.latest()).isEqualTo(-3);
    assertThat(s.isEmpty()).isFalse();
  }

  @Test
  void of_copiesArrays_soLaterWritesDoNotLeakIn() {
    long[] ts = {1, 2};
    double[] vs = {1, 2};
    MetricSeries s = MetricSeries.of(ts, vs);
    ts[0] = 99;
    vs[1] = 99;
    assertThat(s.timestamp(0)).isEqualTo(1);
    assertThat(s.value(1)).isEqualTo(2);
  }

  @Test
  void of_unequalLengths_rejected() {
    assertThatThrownBy(() -> MetricSeries.of(new long[] {1, 2}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timestamps and values must have the same length, but had 2 timestamps and 1 values");
  }

  @Test
  void of_descendingTimestamps_rejectedWithIndex() {
    assertThatThrownBy(() -> MetricSeries.of(new long[] {1, 5, 4}, new double[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timestamps must not decrease, but timestamp[2] = 4 is before timestamp[1] = 5");
  }

  @Test
  void of_nonFiniteValues_rejectedWithIndex() {
    assertThatThrownBy(() -> MetricSeries.of(new long[] {1, 2}, new double[] {1, Double.NaN}))
        .hasMessage("values must be finite, but value[1] was NaN");
    assertThatThrownBy(() -> MetricSeries.of(new long[] {1}, new double[] {Double.NEGATIVE_INFINITY}))
        .hasMessage("values must be finite, but value[0] was -Infinity");
  }

  @Test
  void empty_hasNoLatest_andIndexIsChecked() {
    assertThat(MetricSeries.of(new long[0], new double[0])).isSameAs(MetricSeries.empty());
    assertThatThrownBy(() -> MetricSeries.empty().latest()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> MetricSeries.of(1, 1).value(1))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("index 1 is outside a series of 1 points");
  }

  @Test
  void builder_growsAndValidatesLikeOf() {
    MetricSeries.Builder b = MetricSeries.builder(1);
    for (int i = 0; i < 10; i++) {
      b.add(i, i * 2.0);
    }
    MetricSeries built = b.build();
    assertThat(built.size()).isEqualTo(10);
    assertThat(built.latest()).isEqualTo(18);
    assertThat(built).isEqualTo(MetricSeries.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
        new double[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18}));
    assertThat(built.hashCode()).isEqualTo(MetricSeries.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
        new double[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18}).hashCode());
    assertThatThrownBy(() -> b.add(11, 1)).isInstanceOf(IllegalStateException.class);
    MetricSeries.Builder bad = MetricSeries.builder(2).add(5, 1);
    assertThatThrownBy(() -> bad.add(4, 1)).hasMessageContaining("timestamp[1] = 4 is before timestamp[0] = 5");
    assertThatThrownBy(() -> bad.add(6, Double.POSITIVE_INFINITY)).hasMessage("values must be finite, but value[1] was Infinity");
  }

  @Test
  void direction_of_comparesCounts() {
    assertThat(Direction.of(3, 4)).isEqualTo(Direction.UP);
    assertThat(Direction.of(3, 3)).isEqualTo(Direction.NONE);
    assertThat(Direction.of(3, 0)).isEqualTo(Direction.DOWN);
  }

  @Test
  void scalingAction_negativeCount_rejected() {
    assertThatThrownBy(() -> ScalingAction.to(1, -1, "x")).hasMessage("count must be at least 0, but was -1");
    assertThat(ScalingAction.to(1, 3, "x").direction()).isEqualTo(Direction.UP);
  }
}
