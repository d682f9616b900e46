package dev.capstan.policy;

import dev.capstan.internal.IoReasons;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Reads nomad-autoscaler policy files: HCL ({@code .hcl}) or its JSON form ({@code .json}).
 *
 * <p>A file holds one or more {@code scaling "<name>" { ... }} blocks:
 *
 * <pre>{@code
 * scaling "web" {
 *   min = 1
 *   max = 10
 *   policy {
 *     check "cpu" {
 *       source = "prometheus"
 *       query  = "avg(cpu)"
 *       strategy "target-value" { target = 70 }
 *     }
 *     target "aws-asg" { aws_asg_name = "web" }
 *   }
 * }
 * }</pre>
 *
 * <p>Every problem of a file is collected and reported at once in one {@link PolicyException}, each
 * naming the file, the policy, the field and what is expected. Defaults follow nomad-autoscaler (see
 * {@link ScalingPolicy}). A policy's id is a hash of its origin (the file path as given) and name, so
 * re-reading an unchanged file keeps every id. Thread-safe: every method is stateless.
 */
public final class Policies {
  /** Policy files larger than this are refused: they are surely not policies. */
  public static final long MAX_FILE_BYTES = 1024 * 1024;

  private Policies() {}

  /**
   * Parses one policy file; {@code .json} files are read as JSON, any other as HCL.
   *
   * @param file the file; its path as given becomes each policy's origin
   * @return the file's policies, in file order
   * @throws PolicyException if the file cannot be read, is empty, is larger than
   *     {@link #MAX_FILE_BYTES}, is not valid UTF-8, is malformed, or holds an invalid policy
   */
  public static List<ScalingPolicy> parse(Path file) {
    Objects.requireNonNull(file, "file");
    String origin = file.toString();
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new PolicyException(List.of(origin + ": the file is " + size + " bytes but a policy file may be "
            + "at most 1 MiB (" + MAX_FILE_BYTES + " bytes)"));
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new PolicyException(origin + ": the file cannot be read: " + describe(e), e);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new PolicyException(origin + ": the file is not valid UTF-8 text", e);
    }
    if (isJson(file) && !text.isBlank() && text.strip().charAt(0) != '{') {
      throw new PolicyException(List.of(origin + ": the file ends in .json but does not hold a JSON object"));
    }
    return PolicyParser.parse(text, origin);
  }

  /**
   * Parses policy text. Text whose first non-blank character is <code>{</code> is read as JSON,
   * anything else as HCL.
   *
   * @param hcl the file's content
   * @param origin where it came from, e.g. a file path; used in the ids and in every message
   * @return the policies, in order
   * @throws PolicyException if the text is empty, larger than {@link #MAX_FILE_BYTES} characters,
   *     malformed, or holds an invalid policy
   */
  public static List<ScalingPolicy> parse(String hcl, String origin) {
    Objects.requireNonNull(hcl, "hcl");
    Objects.requireNonNull(origin, "origin");
    if (hcl.length() > MAX_FILE_BYTES) {
      throw new PolicyException(List.of(origin + ": the text is " + hcl.length() + " characters but a policy "
          + "file may be at most 1 MiB (" + MAX_FILE_BYTES + " bytes)"));
    }
    return PolicyParser.parse(hcl, origin);
  }

  /**
   * Parses every {@code .hcl} and {@code .json} file directly inside {@code dir} (not its
   * subdirectories, not hidden files), in file-name order.
   *
   * <p>A file that fails is listed in {@link LoadedPolicies#failures()} and contributes no policy;
   * the others still load. As in nomad-autoscaler, a policy is identified by its file and name, so
   * the same name may appear in several files (the peer's cloud demos all name theirs
   * {@code cluster_policy}); names must be unique only within a file.
   *
   * @param dir the directory
   * @return the loaded policies and the failed files
   * @throws PolicyException if {@code dir} is not a directory or cannot be listed
   */
  public static LoadedPolicies parseDirectory(Path dir) {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new PolicyException(List.of(dir + ": it is not a directory but policies are read from one"));
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(Policies::isPolicyFile).sorted().toList();
    } catch (IOException | RuntimeException e) {
      throw new PolicyException(dir + ": the directory cannot be listed: " + describe(e), e);
    }
    List<ScalingPolicy> policies = new ArrayList<>();
    Map<Path, PolicyException> failures = new LinkedHashMap<>();
    for (Path file : files) {
      List<ScalingPolicy> parsed;
      try {
        parsed = parse(file);
      } catch (PolicyException e) {
        failures.put(file, e);
        continue;
      }
      policies.addAll(parsed);
    }
    return new LoadedPolicies(policies, failures);
  }

  private static boolean isPolicyFile(Path path) {
    String name = path.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    return !name.startsWith(".") && (lower.endsWith(".hcl") || lower.endsWith(".json"))
        && !Files.isDirectory(path);
  }

  private static boolean isJson(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
  }

  private static String describe(Exception e) {
    return IoReasons.of(e);
  }
}
