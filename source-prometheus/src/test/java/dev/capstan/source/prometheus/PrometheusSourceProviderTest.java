package dev.capstan.source.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.Plugins;
import org.junit.jupiter.api.Test;

final class PrometheusSourceProviderTest {

  @Test
  void plugins_prometheusByName_findsThisProvider() {
    assertThat(Plugins.metricSourceProvider("prometheus")).isInstanceOf(PrometheusSourceProvider.class);
  }
}
