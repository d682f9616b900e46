package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.testkit.ManualClock;
import dev.capstan.testkit.ManualScheduler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * nomad-autoscaler's own agent files and policy files (its fixtures and its demos, copied with their
 * source in {@code src/test/resources/peer/README.md}) go through {@code capstan validate} and through
 * the agent's loading in dry-run: every policy the peer loads, Capstan loads; every file Capstan refuses
 * is refused with file, policy and field, and the reason is a documented difference in docs/policies.md.
 */
final class PeerCorpusTest {
  private static final Path PEER = Path.of("src/test/resources/peer");
  private static final Path DOCS = Path.of("../docs/policies.md");

  /**
   * One deployment: its agent file, the policy files that go with it, the policies that must load,
   * and every expected refusal with the phrase of docs/policies.md that documents it.
   */
  record Deployment(String name, Path agentFile, List<Path> policyFiles, List<String> loaded,
      Map<String, String> refusals) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Deployment> deployments() {
    Path demos = PEER.resolve("demos");
    return Stream.of(
        new Deployment("aws demo", PEER.resolve("demo-aws-agent.hcl"),
            List.of(PEER.resolve("policies/hashistack.hcl")), List.of("cluster_policy"), Map.of()),
        new Deployment("azure demo", demos.resolve("azure/agent.hcl"),
            List.of(demos.resolve("azure/policies/hashistack.hcl")), List.of("cluster_policy"), Map.of()),
        new Deployment("gcp demo, zonal and regional", demos.resolve("gcp/agent.hcl"),
            List.of(demos.resolve("gcp/policies/hashistack-regional.hcl"),
                demos.resolve("gcp/policies/hashistack-zonal.hcl")),
            List.of("cluster_policy", "cluster_policy"), Map.of()),
        new Deployment("on-demand batch demo", demos.resolve("on-demand-batch/agent.hcl"),
            List.of(demos.resolve("on-demand-batch/policies/batch.hcl")), List.of("batch"), Map.of()),
        new Deployment("vagrant horizontal demo (policies in its jobs)",
            demos.resolve("vagrant-horizontal/agent.hcl"), List.of(), List.of(), Map.of()),
        new Deployment("the peer's parser fixtures",
            PEER.resolve("agent_config_small.hcl"),
            List.of(PEER.resolve("fixtures/full-task-group-policy.hcl"), PEER.resolve("fixtures/jsonencode-policy.hcl"),
                PEER.resolve("fixtures/unsupported-function-policy.hcl"),
                PEER.resolve("policies/full-cluster-policy.hcl")),
            List.of("full-task-group-policy", "jsonencode-policy"),
            Map.of(PEER.resolve("fixtures/unsupported-function-policy.hcl") + ": policy 'unsupported-function-policy': "
                    + "check 'instana_check': query is file(\"query.json\") but a secret reference may stand only in "
                    + "a target block",
                "`file(...)` in a query",
                PEER.resolve("policies/full-cluster-policy.hcl") + ": policy 'full-cluster-policy': on_check_error "
                    + "was 'error' but it must be one of ignore, fail",
                "`on_check_error = \"error\"`")));
  }

  /**
   * Returns the deployment's agent file as this machine needs it. The GCP demo runs on Compute Engine,
   * where the metadata server hands the agent its credentials; here a service-account key (a fresh RSA
   * key, never used: no evaluation runs) stands in, named in the demo's own gce-mig block.
   */
  private static Path agentFile(Deployment d, Path dir) throws IOException, NoSuchAlgorithmException {
    String text = Files.readString(d.agentFile(), StandardCharsets.UTF_8);
    String bare = "target \"gce-mig\" {\n  driver = \"gce-mig\"\n}";
    if (!text.contains(bare)) {
      return d.agentFile();
    }
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\\n"
        + Base64.getEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
        + "\\n-----END PRIVATE KEY-----\\n";
    Path key = Files.writeString(dir.resolve("key.json"), "{\"type\": \"service_account\", \"project_id\": "
        + "\"hashistack-demo\", \"private_key_id\": \"k1\", \"private_key\": \"" + pem + "\", \"client_email\": "
        + "\"capstan@hashistack-demo.iam.gserviceaccount.com\", \"client_id\": \"1\", \"token_uri\": "
        + "\"http://127.0.0.1:9/token\"}");
    return Files.writeString(dir.resolve("agent.hcl"), text.replace(bare, "target \"gce-mig\" {\n  driver = "
        + "\"gce-mig\"\n  config = { credentials = \"" + key + "\" }\n}"));
  }

  /** Copies the deployment's policy files into one directory, as the agent's -policy-dir reads them. */
  private static Path policyDir(Deployment d, Path dir) throws IOException {
    for (Path file : d.policyFiles()) {
      Files.copy(file, dir.resolve(file.getFileName()));
    }
    return dir;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void validate_loadsEveryPolicyAndRefusesOnlyDocumentedDifferences(Deployment d, @TempDir Path dir)
      throws Exception {
    if (d.policyFiles().isEmpty()) {
      return; // validate needs a policy file; the agent test below still loads the agent file
    }
    CliRun cli = new CliRun();
    List<String> args = new ArrayList<>(List.of("-config", agentFile(d, dir).toString()));
    d.policyFiles().forEach(f -> args.add(f.toString()));

    int status = cli.execute("validate", args.toArray(String[]::new));

    List<String> problems = cli.err().lines().filter(l -> !l.startsWith("note:") && !l.matches("\\d+ problems? found"))
        .toList();
    assertThat(problems).containsExactlyInAnyOrderElementsOf(d.refusals().keySet());
    assertThat(status).isEqualTo(d.refusals().isEmpty() ? 0 : 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void agentDryRun_loadsEveryPolicyTheFilesHoldAndListsTheRefusedFiles(Deployment d, @TempDir Path policies,
      @TempDir Path state, @TempDir Path work) throws Exception {
    AgentConfig file = AgentConfig.load(List.of(agentFile(d, work)));
    // Only the HTTP port changes (0: a free one); no evaluation runs, so no cloud is called.
    AgentConfig config = new AgentConfig(file.apms(), file.targets(), file.strategies(), file.nodePools(),
        file.policyDir(), file.defaultCooldown(), file.defaultEvaluationInterval(), "127.0.0.1", 0, file.stateDir(),
        file.ignored(), file.origin(), file.logLevel(), file.sources(), file.highAvailability());
    ManualClock clock = ManualClock.startingAtEpochOf2026();

    try (Agent agent = new Agent(config, new Agent.Options(policyDir(d, policies), state, true, Duration.ZERO),
        b -> b.clock(clock).scheduler(new ManualScheduler(clock)).executor(Runnable::run))) {
      assertThat(agent.policies().values()).extracting(p -> p.name()).containsExactlyInAnyOrderElementsOf(d.loaded());
      String health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + agent.httpPort() + "/v1/health")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String refusal : d.refusals().keySet()) {
        // The agent reads the copies in its own directory: the same message under that path.
        String message = refusal.substring(refusal.indexOf(": policy '"));
        assertThat(health).contains(message.replace("\"", "\\\""));
      }
      assertThat(health).contains(d.refusals().isEmpty() ? "\"status\" : \"ok\"" : "\"status\" : \"degraded\"");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void everyRefusal_isADocumentedDifference(Deployment d) throws IOException {
    String docs = Files.readString(DOCS, StandardCharsets.UTF_8);
    String differences = docs.substring(docs.indexOf("## Differences from nomad-autoscaler"));

    assertThat(new TreeSet<>(d.refusals().values())).allSatisfy(phrase -> assertThat(differences).contains(phrase));
  }
}
