package dev.capstan.engine;

import dev.capstan.policy.Check;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.policy.TargetBlock;
import dev.capstan.spi.MetricSource;
import dev.capstan.spi.Strategy;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetGroup;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A policy with everything derived from it once, when it is added: its strategies created, its
 * sources found, its target found and its target block bound, the labels its errors use and its call
 * timeout. A plug-in that could not be had is kept as a problem, not thrown: that check (or, for the
 * target, the evaluation) fails on every evaluation saying why, and the others still run.
 */
final class BoundPolicy {
  final ScalingPolicy policy;
  final Strategy[] strategies;
  final MetricSource[] sources;
  /** Per check: why its strategy or source could not be had, or null. */
  final String[] checkProblems;
  final String[] problemPlugins;
  final String[] sourceLabels;
  final String[] strategyLabels;
  final String targetLabel;
  final Target target;
  final TargetGroup group;
  /** Why the target could not be found or bound, or null. */
  final String targetProblem;
  final long timeoutMillis;
  /** Whether the target block says {@code dry-run = "true"}: this policy only reports. */
  final boolean dryRun;

  BoundPolicy(ScalingPolicy policy, PluginResolver plugins) {
    this.policy = policy;
    int n = policy.checks().size();
    strategies = new Strategy[n];
    sources = new MetricSource[n];
    checkProblems = new String[n];
    problemPlugins = new String[n];
    sourceLabels = new String[n];
    strategyLabels = new String[n];
    for (int i = 0; i < n; i++) {
      Check check = policy.checks().get(i);
      sourceLabels[i] = "metric source '" + check.source() + "'";
      strategyLabels[i] = "strategy '" + check.strategy().name() + "'";
      if (!check.source().isEmpty()) {
        try {
          sources[i] = plugins.source(check.source());
        } catch (RuntimeException e) {
          checkProblems[i] = "unavailable: " + PluginResolver.message(e);
          problemPlugins[i] = sourceLabels[i];
          continue;
        }
      }
      try {
        strategies[i] = plugins.strategy(check.strategy());
      } catch (RuntimeException e) {
        checkProblems[i] = "could not be created: " + PluginResolver.message(e);
        problemPlugins[i] = strategyLabels[i];
      }
    }
    targetLabel = "target '" + policy.target().name() + "'";
    Target found = null;
    TargetGroup bound = null;
    String problem = null;
    boolean dry = false;
    try {
      dry = TargetBlock.dryRun(policy.target().config());
    } catch (RuntimeException e) {
      problem = targetLabel + ": " + redact(PluginResolver.message(e));
    }
    try {
      found = plugins.target(policy.target().name());
      // dry-run is the engine's key (as in nomad-autoscaler), never the plug-in's.
      bound = problem != null ? null : found.bind(TargetBlock.pluginConfig(policy.target().config()));
      if (bound == null && problem == null) {
        problem = targetLabel + " returned no group from bind";
      }
    } catch (RuntimeException e) {
      problem = found == null
          ? targetLabel + " is unavailable: " + PluginResolver.message(e)
          : targetLabel + " rejected the policy's target block: " + redact(PluginResolver.message(e));
    }
    target = found;
    group = bound;
    targetProblem = problem;
    dryRun = dry;
    timeoutMillis = Math.max(1, policy.evaluationInterval().toMillis() * 3 / 4);
  }

  /**
   * Returns a message about the target with the target block's secret values ({@code env(...)},
   * {@code file(...)}) replaced, since a plug-in may quote the configuration it was given.
   */
  String redact(String message) {
    return policy.target().redact(message);
  }

  /**
   * Returns {@code error} itself, or, when its messages quote a secret of the target block, a bare
   * exception with the redacted message (the original, with its causes, is dropped, so no log of it
   * can show the secret).
   */
  @Nullable Throwable redact(@Nullable Throwable error) {
    if (error == null || policy.target().secretKeys().isEmpty()) {
      return error;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && !redact(m).equals(m)) {
        return new RuntimeException(redact(PluginResolver.message(error)));
      }
    }
    return error;
  }

  /** Every problem found at bind, each naming the check or target it belongs to. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < checkProblems.length; i++) {
      if (checkProblems[i] != null) {
        problems.add("check '" + policy.checks().get(i).name() + "': " + problemPlugins[i] + " " + checkProblems[i]);
      }
    }
    if (targetProblem != null) {
      problems.add(targetProblem);
    }
    return problems;
  }
}
