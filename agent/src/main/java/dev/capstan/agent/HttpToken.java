package dev.capstan.agent;

import dev.capstan.spi.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The bearer token that the HTTP API's mutating requests (PUT and DELETE of
 * {@code /v1/policy/{id}/override}) must carry when the agent has one ({@code http { token_file }} or
 * {@code -http-token-file}): {@code Authorization: Bearer <token>}.
 *
 * <p>Only a SHA-256 digest of the token is kept, and requests are compared digest to digest with
 * {@link MessageDigest#isEqual}, which takes the same time wherever the bytes differ, so neither the
 * comparison's timing nor the token's length tells a caller how close a guess came. The token itself is
 * never logged nor put in a message: {@link #toString()} says only where it came from.
 */
final class HttpToken {
  /** The shortest token accepted: 16 characters, e.g. {@code openssl rand -hex 16} gives 32. */
  static final int MIN_LENGTH = 16;
  private static final String SCHEME = "Bearer ";

  private final byte[] digest;
  private final Path file;

  private HttpToken(byte[] digest, Path file) {
    this.digest = digest;
    this.file = file;
  }

  /**
   * Reads the token from a file: its whole content without surrounding white space (so a trailing newline
   * does not count), of at least {@value #MIN_LENGTH} characters and without white space inside.
   *
   * @param file the token file
   * @return the token
   * @throws ConfigException naming the file (never its content) when it cannot be read or holds no usable token
   */
  static HttpToken read(Path file) {
    String token;
    try {
      token = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ConfigException("http token_file '" + file + "' cannot be read: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    if (token.length() < MIN_LENGTH || token.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException("http token_file '" + file + "' holds " + token.length() + " characters"
          + (token.chars().anyMatch(Character::isWhitespace) ? " with white space inside" : "")
          + " but it must hold one token of at least " + MIN_LENGTH + " characters without white space, "
          + "e.g. from openssl rand -hex 16");
    }
    return new HttpToken(sha256(token), file);
  }

  /**
   * Returns whether a request's {@code Authorization} header carries this token.
   *
   * @param authorization the header's value, or {@code null} when the request has none
   * @return true for {@code Bearer <this token>}
   */
  boolean admits(@Nullable String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(authorization.substring(SCHEME.length()).strip()));
  }

  /**
   * Returns the warning an agent logs at start when its HTTP API is reachable from other hosts and has no
   * token, so anyone who can reach it can change overrides.
   *
   * @param bindAddress the address the API listens on
   * @param token the agent's token, if any
   * @return the warning, or empty for a token or a loopback address ({@code localhost}, 127.0.0.0/8, ::1)
   */
  static Optional<String> exposureWarning(String bindAddress, Optional<HttpToken> token) {
    String a = bindAddress.strip();
    boolean loopback = a.equalsIgnoreCase("localhost") || a.startsWith("127.") || a.equals("::1") || a.equals("[::1]");
    if (token.isPresent() || loopback) {
      return Optional.empty();
    }
    return Optional.of("the HTTP API listens on " + a + " without a token: anyone who can reach it can pause or hold "
        + "a policy; set http { token_file } (or -http-token-file) and put the API behind a TLS proxy");
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Says where the token came from, never what it is. */
  @Override
  public String toString() {
    return "HttpToken[from " + file + "]";
  }
}
