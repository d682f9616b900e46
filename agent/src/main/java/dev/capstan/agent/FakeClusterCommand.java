package dev.capstan.agent;

import dev.capstan.engine.Scheduler;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code capstan fake-cluster}: serves the README's try-it-yourself cluster on loopback (a Nomad
 * fake with four Raspberry Pis and an AWS Auto Scaling fake) until interrupted, for
 * {@code ./capstan run --config examples/agent.hcl} to scale.
 */
@Command(name = "fake-cluster", mixinStandardHelpOptions = true,
    description = {"Serves a fake Nomad cluster of Raspberry Pis and a fake AWS Auto Scaling group on loopback, "
        + "boots a Nomad node for every instance the group launches and drives a web load that bursts and "
        + "ebbs, so that './capstan run --config examples/agent.hcl' has something to scale. Runs until Ctrl-C."})
final class FakeClusterCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--nomad-port", defaultValue = "4646",
      description = "Port of the Nomad API (default: ${DEFAULT-VALUE}, Nomad's own, which examples/agent.hcl names).")
  private int nomadPort;

  @Option(names = "--aws-port", defaultValue = "4566",
      description = "Port of the Auto Scaling endpoint (default: ${DEFAULT-VALUE}).")
  private int awsPort;

  @Option(names = "--boot-seconds", defaultValue = "10",
      description = "How long a new cloud node stays initializing (default: ${DEFAULT-VALUE}).")
  private int bootSeconds;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (bootSeconds < 1) {
      spec.commandLine().getErr().println("--boot-seconds was " + bootSeconds + " but it must be at least 1");
      return 2;
    }
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch stopped = new CountDownLatch(1);
    FakeCluster cluster = null;
    try {
      cluster = new FakeCluster(nomadPort, awsPort, bootSeconds, Clock.systemUTC(), Scheduler.of(executor), out);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    } catch (java.io.UncheckedIOException e) {
      spec.commandLine().getErr().println("capstan fake-cluster: " + e.getMessage());
      return 1;
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      executor.shutdownNow();
    }
    return 0;
  }
}
