package dev.capstan.target.aws;

import dev.capstan.spi.Target;
import dev.capstan.testkit.FakeAutoScaling;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.TargetContract;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/** The real SDK client against a fake Auto Scaling endpoint passes the testkit's target contract. */
final class AwsAsgTargetContractTest extends TargetContract {
  private final FakeAutoScaling fake = new FakeAutoScaling();
  private final LocalHttpServer server = LocalHttpServer.start(fake);

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Override
  protected Target createTarget() {
    fake.group("web", 3);
    return new AwsAsgTarget(AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", "AKIDCONTRACT", "aws_secret_access_key", "contract-secret",
        "endpoint", server.uri().toString(), "poll_interval", "1ms")),
        Optional.of(BackoffStrategy.retryImmediately()));
  }

  @Override
  protected Optional<Target> targetLeavingTerminationsUnconfirmed() {
    // The activity stays InProgress past a short operation_timeout: accepted, not confirmed.
    fake.pollsBeforeDone(Integer.MAX_VALUE);
    return Optional.of(new AwsAsgTarget(AwsAsgConfig.parse(Map.of("aws_region", "eu-west-1",
        "aws_access_key_id", "AKIDCONTRACT", "aws_secret_access_key", "contract-secret",
        "endpoint", server.uri().toString(), "poll_interval", "1ms", "operation_timeout", "50ms")),
        Optional.of(BackoffStrategy.retryImmediately())));
  }

  @Override
  protected boolean settleUnconfirmedTerminations() {
    // AWS took the instance out of the group when it accepted the call; only the activity lags.
    return true;
  }

  @Override
  protected long requestsMade() {
    return server.requests().size();
  }

  @Override
  protected Map<String, Map<String, String>> badConfigs() {
    Map<String, Map<String, String>> bad = new HashMap<>(super.badConfigs());
    bad.put("aws_asg_name", Map.of("aws_asg_name", " "));
    bad.put("aws_asg_nme", Map.of("aws_asg_nme", "web"));
    return bad;
  }

  @Override
  protected Map<String, String> groupConfig() {
    return Map.of("aws_asg_name", "web", "node_class", "hashistack");
  }

  @Override
  protected Map<String, String> missingGroupConfig() {
    return Map.of("aws_asg_name", "no-such-group");
  }

  @Override
  protected String missingGroupName() {
    return "no-such-group";
  }

  @Override
  protected long initialCount() {
    return 3;
  }

  @Override
  protected List<String> initialInstanceIds() {
    return List.of("web-i-1", "web-i-2", "web-i-3");
  }
}
