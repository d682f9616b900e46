package dev.capstan.target.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.Target;
import dev.capstan.spi.TargetException;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.LocalHttpServer.Response;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating an aws-asg target without {@code aws_region} must not ask EC2 instance metadata: the test
 * points the SDK's metadata endpoint at a counting loopback server (which knows no region) and its
 * profile files at nothing, so the only place a region could come from is that server.
 */
final class AwsAsgLazyClientTest {
  private static final String[] PROPERTIES = {"aws.ec2MetadataServiceEndpoint", "aws.configFile",
      "aws.sharedCredentialsFile", "aws.region"};
  private final Map<String, String> saved = new HashMap<>();
  private final LocalHttpServer imds = LocalHttpServer.start(r -> Response.text(404, "not found"));

  @BeforeEach
  void pointTheSdkAtLoopback(@TempDir Path dir) {
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
    }
    System.setProperty("aws.ec2MetadataServiceEndpoint", imds.uri().toString());
    System.setProperty("aws.configFile", dir.resolve("no-config").toString());
    System.setProperty("aws.sharedCredentialsFile", dir.resolve("no-credentials").toString());
    System.clearProperty("aws.region");
  }

  @AfterEach
  void restore() {
    saved.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
    imds.close();
  }

  @Test
  void create_withoutRegion_sendsNothingAndTheFirstCallNamesTheMissingKey() {
    try (Target target = new AwsAsgTargetProvider().create(Map.of("endpoint", "http://127.0.0.1:1"))) {
      assertThat(imds.requests()).as("create and bind ask nothing").isEmpty();
      Map<String, String> web = Map.of("aws_asg_name", "web");
      assertThat(target.bind(web).id()).isEqualTo("aws-asg:default/web");
      assertThat(imds.requests()).isEmpty();

      assertThatThrownBy(() -> target.status(web)).isInstanceOf(TargetException.class)
          .hasMessageContaining("aws_region is not set and the AWS SDK found no region either");
      assertThat(imds.requests()).as("the region chain ran at the first call").isNotEmpty();
    }
  }
}
