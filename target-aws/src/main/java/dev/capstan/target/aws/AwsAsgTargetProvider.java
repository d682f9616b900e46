package dev.capstan.target.aws;

import com.google.auto.service.AutoService;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetProvider;
import java.util.Map;

/** Provides the {@code aws-asg} target, which scales AWS Auto Scaling Groups. */
@AutoService(TargetProvider.class)
public final class AwsAsgTargetProvider implements TargetProvider {

  /** The name policies use: {@code target "aws-asg" { ... }}. */
  public static final String NAME = "aws-asg";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public AwsAsgTargetProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Parses the agent configuration (see {@link AwsAsgConfig}) and builds a target with its own
   * SDK client.
   *
   * @throws dev.capstan.spi.ConfigException naming every bad, missing or unknown key
   */
  @Override
  public Target create(Map<String, String> agentConfig) {
    return AwsAsgTarget.create(AwsAsgConfig.parse(agentConfig));
  }
}
