package dev.capstan.target.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.Plugins;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Target;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class AwsAsgTargetProviderTest {

  @Test
  void plugins_awsAsgName_findsThisProvider() {
    try (Target target = Plugins.target("aws-asg", Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", "AKIDPROVIDER", "aws_secret_access_key", "provider-secret",
        "endpoint", "http://127.0.0.1:9"))) {
      assertThat(target).isInstanceOf(AwsAsgTarget.class);
    }
  }

  @Test
  void create_badConfig_throwsConfigException() {
    assertThatThrownBy(() -> new AwsAsgTargetProvider().create(Map.of("retry_attempts", "many")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("retry_attempts was 'many' but it must be a whole number");
  }
}
