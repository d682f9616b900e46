package dev.capstan.agent;

import dev.capstan.config.Durations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * nomad-autoscaler's {@code -nomad-*} flags of {@code agent}: each sets one key of the agent's
 * {@code nomad {}} block, over the agent file's value, as the peer merges its command line over its
 * files. {@code -nomad-namespace} may be repeated (a list of namespaces, as the block's
 * {@code namespace = [...]}); {@code -nomad-skip-verify} only turns verification off, as the peer's
 * flag cannot turn a file's {@code skip_verify = true} back on. A picocli mixin of {@link AgentCommand}.
 */
final class NomadFlags {
  @Option(names = {"-nomad-address", "--nomad-address"}, paramLabel = "ADDR",
      description = "Nomad's HTTP address (nomad { address }).")
  private String address;

  @Option(names = {"-nomad-region", "--nomad-region"}, paramLabel = "REGION",
      description = "The region sent to Nomad (nomad { region }).")
  private String region;

  @Option(names = {"-nomad-namespace", "--nomad-namespace"}, paramLabel = "NAMESPACE",
      description = "A namespace to read policies from and scale in; repeat for several, * for all "
          + "(nomad { namespace }).")
  private List<String> namespaces = new ArrayList<>();

  @Option(names = {"-nomad-token", "--nomad-token"}, paramLabel = "TOKEN",
      description = "The ACL token (nomad { token }); never printed.")
  private String token;

  @Option(names = {"-nomad-http-auth", "--nomad-http-auth"}, paramLabel = "USER:PASS",
      description = "Basic authentication (nomad { http_auth }); never printed.")
  private String httpAuth;

  @Option(names = {"-nomad-ca-cert", "--nomad-ca-cert"}, paramLabel = "PATH", description = "nomad { ca_cert }.")
  private String caCert;

  @Option(names = {"-nomad-ca-path", "--nomad-ca-path"}, paramLabel = "PATH", description = "nomad { ca_path }.")
  private String caPath;

  @Option(names = {"-nomad-client-cert", "--nomad-client-cert"}, paramLabel = "PATH",
      description = "nomad { client_cert }.")
  private String clientCert;

  @Option(names = {"-nomad-client-key", "--nomad-client-key"}, paramLabel = "PATH",
      description = "nomad { client_key }.")
  private String clientKey;

  @Option(names = {"-nomad-tls-server-name", "--nomad-tls-server-name"}, paramLabel = "NAME",
      description = "nomad { tls_server_name }.")
  private String tlsServerName;

  @Option(names = {"-nomad-skip-verify", "--nomad-skip-verify"}, arity = "0..1",
      description = "Do not verify Nomad's certificate (nomad { skip_verify }).")
  private boolean skipVerify;

  @Option(names = {"-nomad-block-query-wait-time", "--nomad-block-query-wait-time"}, paramLabel = "DURATION",
      description = "How long a blocking query to Nomad waits (nomad { block_query_wait_time }).")
  private String blockQueryWaitTime;

  /**
   * Returns the agent file's {@code nomad {}} block with the flags given over it; no flag leaves it as
   * it is (absent stays absent).
   *
   * @param block the agent file's block
   * @param cli the command line, for usage errors
   * @return the block the agent uses
   * @throws ParameterException if {@code -nomad-block-query-wait-time} is not a duration
   */
  Optional<Map<String, String>> applyTo(Optional<Map<String, String>> block, CommandLine cli) {
    Map<String, String> flags = new LinkedHashMap<>();
    put(flags, "address", address);
    put(flags, "region", region);
    if (!namespaces.isEmpty()) {
      flags.put("namespace", String.join(",", namespaces));
    }
    put(flags, "token", token);
    put(flags, "http_auth", httpAuth);
    put(flags, "ca_cert", caCert);
    put(flags, "ca_path", caPath);
    put(flags, "client_cert", clientCert);
    put(flags, "client_key", clientKey);
    put(flags, "tls_server_name", tlsServerName);
    if (skipVerify) {
      flags.put("skip_verify", "true");
    }
    if (blockQueryWaitTime != null) {
      try {
        Durations.parse(blockQueryWaitTime);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cli, "-nomad-block-query-wait-time: " + e.getMessage());
      }
      flags.put("block_query_wait_time", blockQueryWaitTime);
    }
    if (flags.isEmpty()) {
      return block;
    }
    Map<String, String> merged = new LinkedHashMap<>(block.orElse(Map.of()));
    merged.putAll(flags);
    return Optional.of(merged);
  }

  private static void put(Map<String, String> flags, String key, String value) {
    // The peer's merge ignores empty values: -nomad-token "" keeps the file's token.
    if (value != null && !value.isEmpty()) {
      flags.put(key, value);
    }
  }
}
