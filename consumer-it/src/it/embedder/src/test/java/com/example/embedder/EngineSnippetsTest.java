package com.example.embedder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.capstan.engine.Autoscaler;
import dev.capstan.engine.StateStore;
import dev.capstan.policy.Policies;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.testkit.InMemoryTarget;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Java snippets of docs/engine.md: the engine over policies/in-memory/web.hcl with an in-memory target. */
final class EngineSnippetsTest {

  @Test
  void autoscaler_fixedValuePolicy_scalesTheInMemoryGroup() {
    // tag::autoscaler[]
    InMemoryTarget group = InMemoryTarget.withCount(1);   // capstan-testkit; in production e.g. Plugins.target("aws-asg", config)
    try (Autoscaler autoscaler = Autoscaler.builder()
        .policies(Policies.parseDirectory(Path.of("policies/in-memory")).orThrow())   // target "in-memory" {}
        .target("in-memory", group)
        .stateStore(StateStore.file(Path.of("target/capstan-state")))
        .listener(decision -> System.out.println(decision.policyName() + " " + decision.outcome() + ": " + decision.reasons()))
        .build()) {
      for (ScalingPolicy policy : autoscaler.policies()) {
        autoscaler.evaluate(policy);      // or autoscaler.start() to evaluate every policy on its interval
      }
    }
    // end::autoscaler[]
    assertEquals(3, group.count());
  }
}
