package dev.capstan.agent;

import dev.capstan.Plugins;
import dev.capstan.policy.Check;
import dev.capstan.policy.ScalingPolicy;
import dev.capstan.policy.TargetBlock;
import dev.capstan.spi.ConfigException;
import dev.capstan.spi.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates every check's strategy and binds every policy's target the way the agent does when it
 * loads a policy, to report each bad plug-in name, key or value with its file, policy and field. Makes
 * no network call: strategies and binds are offline by contract, and a target is created only from
 * an agent file's {@code target} block, whose settings (region, credentials) let a cloud client be
 * built without asking a metadata service. A target the agent file does not declare (or with no
 * agent file) has its name checked only; {@link #notes()} says so. Not thread-safe; one per run.
 */
final class PolicyPlugins implements AutoCloseable {
  private final AgentConfig agent;
  private final Map<String, Optional<Target>> targets = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();
  private final List<String> agentProblems = new ArrayList<>();

  PolicyPlugins(AgentConfig agent) {
    this.agent = agent;
  }

  /**
   * Returns the problems of one policy's plug-ins, each naming the policy's file, the policy and the
   * check or target.
   */
  List<String> problems(ScalingPolicy policy) {
    String at = policy.origin() + ": policy '" + policy.name() + "': ";
    List<String> problems = new ArrayList<>();
    for (Check check : policy.checks()) {
      String strategy = check.strategy().name();
      String driver = Optional.ofNullable(agent.strategies().get(strategy)).map(AgentConfig.PluginBlock::driver)
          .orElse(strategy);
      String where = at + "check '" + check.name() + "': strategy '" + strategy + "': ";
      try {
        Plugins.strategy(driver, check.strategy().config());
      } catch (ConfigException e) {
        e.problems().forEach(p -> problems.add(where + p));
      }
    }
    String name = policy.target().name();
    String where = at + "target '" + name + "': ";
    try {
      TargetBlock.dryRun(policy.target().config());
      target(name).ifPresent(t -> t.bind(TargetBlock.pluginConfig(policy.target().config())));
    } catch (ConfigException e) {
      // A plug-in may quote a value it refuses: a secret of the block (env(...), file(...)) is not shown.
      e.problems().forEach(p -> problems.add(where + policy.target().redact(p)));
    }
    return problems;
  }

  /** Returns a note for every target whose keys could not be checked, once per target name. */
  List<String> notes() {
    return List.copyOf(notes.values());
  }

  /** Returns the problems of the agent file's target blocks that could not be created. */
  List<String> agentProblems() {
    return List.copyOf(agentProblems);
  }

  /**
   * Returns the target a policy's {@code target "<name>"} names, created once; empty when only its
   * name could be checked.
   *
   * @throws ConfigException if no target provider has that name
   */
  private Optional<Target> target(String name) {
    Optional<Target> known = targets.get(name);
    if (known != null) {
      return known;
    }
    AgentConfig.PluginBlock block = agent.targets().get(name);
    Optional<Target> created = Optional.empty();
    if (block == null) {
      Plugins.targetProvider(name); // throws for an unknown name, listing the known ones
      notes.put(name, "note: the keys of target '" + name + "' were not checked: the agent file "
          + (agent.targets().isEmpty() ? "(--config) " : "") + "declares no target \"" + name
          + "\" block, and creating the target without its settings could ask a cloud metadata service");
    } else {
      Plugins.targetProvider(block.driver());
      try {
        created = Optional.of(Plugins.target(block.driver(), block.config()));
      } catch (ConfigException e) {
        e.problems().forEach(p -> agentProblems.add(agent.origin() + ": target \"" + name + "\": " + block.redact(p)));
      }
    }
    targets.put(name, created);
    return created;
  }

  @Override
  public void close() {
    targets.values().forEach(t -> t.ifPresent(Target::close));
  }
}
