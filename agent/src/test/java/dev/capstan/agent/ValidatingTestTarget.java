package dev.capstan.agent;

import com.google.auto.service.AutoService;
import dev.capstan.config.ConfigReader;
import dev.capstan.spi.InstanceGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetProvider;
import dev.capstan.spi.TargetStatus;
import java.util.Map;

/**
 * Target {@code validating-test}: binds a group named by {@code group} and rejects any other key at
 * bind, as the built-in cloud targets do; it reaches nothing, so validating against it is offline.
 */
final class ValidatingTestTarget implements Target {

  /** Registers the target. */
  @AutoService(TargetProvider.class)
  public static final class Provider implements TargetProvider {
    @Override
    public String name() {
      return "validating-test";
    }

    @Override
    public Target create(Map<String, String> agentConfig) {
      ConfigReader r = ConfigReader.of(agentConfig, "validating-test target agent config");
      r.rejectUnknownKeys();
      r.validate();
      return new ValidatingTestTarget();
    }
  }

  @Override
  public TargetGroup bind(Map<String, String> config) {
    ConfigReader r = ConfigReader.of(config, "validating-test target");
    String group = r.requiredString("group");
    r.allow(InstanceGroup.CLUSTER_KEYS.toArray(String[]::new));
    r.rejectUnknownKeys();
    r.validate();
    return new TargetGroup() {
      @Override
      public String id() {
        return "validating-test:" + group;
      }

      @Override
      public TargetStatus status() {
        throw new AssertionError("validate must not read a target");
      }

      @Override
      public void scale(ScalingAction action) {
        throw new AssertionError("validate must not scale a target");
      }
    };
  }

  @Override
  public TargetStatus status(Map<String, String> config) {
    return bind(config).status();
  }

  @Override
  public void scale(ScalingAction action, Map<String, String> config) {
    bind(config).scale(action);
  }

  @Override
  public void close() {}
}
