package dev.capstan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSource;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MetricSource} must show. A source's test extends this class, creates the
 * source over known data and names a query and a window that hold data.
 */
public abstract class MetricSourceContract {
  private MetricSource source;

  /**
   * Creates the source under test, connected to data the test controls; called before each test.
   *
   * @return a new source
   */
  protected abstract MetricSource createSource();

  /**
   * Returns a query that yields a single series with points inside {@link #from()}..{@link #to()}.
   *
   * @return the query text
   */
  protected abstract String queryWithData();

  /**
   * Returns the start of a window that holds data for {@link #queryWithData()}.
   *
   * @return the start
   */
  protected abstract Instant from();

  /**
   * Returns the end of a window that holds data for {@link #queryWithData()}.
   *
   * @return the end
   */
  protected abstract Instant to();

  @BeforeEach
  final void openSource() {
    source = createSource();
  }

  @AfterEach
  final void closeSource() {
    // Null when a subclass's @BeforeEach skipped the test (e.g. an assumption) before the source was made.
    if (source != null) {
      source.close();
    }
  }

  /**
   * Returns the source created for the current test.
   *
   * @return the source
   */
  protected final MetricSource source() {
    return source;
  }

  @Test
  @DisplayName("a query over a window with data returns finite points inside the window, oldest first")
  void query_windowWithData_returnsOrderedPointsInWindow() {
    MetricSeries series = source.query(queryWithData(), from(), to());
    assertThat(series.size()).isPositive();
    for (int i = 0; i < series.size(); i++) {
      assertThat(series.timestamp(i)).isBetween(from().toEpochMilli(), to().toEpochMilli());
      assertThat(Double.isFinite(series.value(i))).isTrue();
      if (i > 0) {
        assertThat(series.timestamp(i)).isGreaterThanOrEqualTo(series.timestamp(i - 1));
      }
    }
  }

  @Test
  @DisplayName("a window whose start is after its end is rejected")
  void query_fromAfterTo_throwsIllegalArgument() {
    assertThatThrownBy(() -> source.query(queryWithData(), to(), from()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("closing twice is harmless")
  void close_twice_isHarmless() {
    source.close();
    source.close();
  }
}
