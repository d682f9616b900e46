package com.example.embedder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.capstan.policy.LoadedPolicies;
import dev.capstan.policy.Policies;
import dev.capstan.policy.ScalingPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java snippets of docs/policies.md; the working directory is this project's, with policies/web.hcl. */
final class PoliciesSnippetsTest {

  @Test
  void parseDirectory_policiesFolder_readsEveryGoodFile() {
    // tag::parse-directory[]
    LoadedPolicies loaded = Policies.parseDirectory(Path.of("policies"));
    loaded.failures().forEach((file, problem) -> System.err.println(problem.getMessage()));
    List<ScalingPolicy> policies = loaded.policies();   // the good files' policies; orThrow() refuses any failure
    // end::parse-directory[]
    assertTrue(loaded.failures().isEmpty(), () -> loaded.failures().toString());
    assertEquals(List.of("web"), policies.stream().map(ScalingPolicy::name).toList());
    assertEquals(5, policies.get(0).max());
  }
}
