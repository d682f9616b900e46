package dev.capstan;

import dev.capstan.spi.Strategy;
import dev.capstan.spi.StrategyProvider;
import java.util.Map;

/**
 * A strategy provider that {@link PluginsTest} defines again in a throwaway class loader, to prove the
 * plug-in cache lets that loader go. Deliberately not registered with {@code @AutoService}: only the
 * throwaway loader lists it.
 */
public final class LeakProbeStrategyProvider implements StrategyProvider {
  @Override
  public String name() {
    return "leak-probe";
  }

  @Override
  public Strategy create(Map<String, String> config) {
    return (count, metrics) -> count;
  }
}
