package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.testkit.FakeAutoScaling;
import dev.capstan.testkit.LocalHttpServer;
import dev.capstan.testkit.ZooKeeperServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code capstan agent} processes (this test's class path, started with {@link ProcessBuilder})
 * share six Auto Scaling groups through one real ZooKeeper server (Debian's {@code zookeeper}
 * package) and scale them on a local Auto Scaling endpoint served here; two of them are killed with
 * {@code SIGKILL} in turn. The survivors take every policy, no group is scaled twice, and no
 * survivor scales inside the cooldown its dead predecessor started.
 */
final class AgentProcessesTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int GROUPS = 6;
  private static final Pattern HEALTH = Pattern.compile("HTTP API on (http://127\\.0\\.0\\.1:[0-9]+)/v1/health");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final FakeAutoScaling fake = new FakeAutoScaling();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> scaleCalls = new ConcurrentHashMap<>();
  private final AtomicInteger overlaps = new AtomicInteger();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Agent> agents = new ArrayList<>();
  private ZooKeeperServer zookeeper;
  private LocalHttpServer aws;

  /** One agent process and where its HTTP API answers. */
  private record Agent(String member, Process process, URI api) {}

  @BeforeEach
  void start() throws Exception {
    zookeeper = ZooKeeperServer.start();
    for (int i = 0; i < GROUPS; i++) {
      fake.group("g-" + i, 1);
    }
    // Counts each group's SetDesiredCapacity calls, and how many ever ran at once on one group.
    aws = LocalHttpServer.start(request -> {
      Map<String, String> form = request.formParams();
      if (!"SetDesiredCapacity".equals(form.get("Action"))) {
        return fake.apply(request);
      }
      String group = form.get("AutoScalingGroupName");
      AtomicInteger n = inFlight.computeIfAbsent(group, g -> new AtomicInteger());
      if (n.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      try {
        scaleCalls.computeIfAbsent(group, g -> new AtomicInteger()).incrementAndGet();
        return fake.apply(request);
      } finally {
        n.decrementAndGet();
      }
    });
    Path policies = Files.createDirectories(dir.resolve("policies"));
    for (int i = 0; i < GROUPS; i++) {
      Files.writeString(policies.resolve("web-" + i + ".hcl"), """
          scaling "web-%d" {
            enabled = true
            min     = 1
            max     = 10
            policy {
              evaluation_interval = "1s"
              cooldown            = "1h"
              check "fixed" {
                strategy "fixed-value" { value = 3 }
              }
              target "aws-asg" { aws_asg_name = "g-%d" }
            }
          }
          """.formatted(i, i));
    }
    Files.writeString(dir.resolve("agent.hcl"), """
        target "aws-asg" {
          driver = "aws-asg"
          config = {
            aws_region            = "eu-west-1"
            aws_access_key_id     = "AKIDPROCESSTEST"
            aws_secret_access_key = "process-test-secret"
            endpoint              = "%s"
          }
        }
        high_availability {
          enabled         = true
          zookeeper       = "%s"
          path            = "/capstan/processes"
          session_timeout = "4s"
        }
        """.formatted(aws.uri(), zookeeper.connectString()));
    for (String member : List.of("m1", "m2", "m3")) {
      agents.add(launch(member, policies));
    }
    for (Agent a : agents) {
      awaitApi(a);
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (Agent a : agents) {
      a.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (aws != null) {
      aws.close();
    }
    if (zookeeper != null) {
      zookeeper.close();
    }
  }

  private Agent launch(String member, Path policies) throws IOException {
    Path log = dir.resolve(member + ".log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "dev.capstan.agent.Main", "agent", "-config", dir.resolve("agent.hcl").toString(),
        "-policy-dir", policies.toString(), "-http-bind-port", "0", "-reload-interval", "0",
        "-high-availability-member-id", member)
        .directory(Files.createDirectories(dir.resolve(member)).toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Agent(member, p, null);
  }

  /** Waits for an agent's start line, which names its HTTP port. */
  private void awaitApi(Agent started) throws Exception {
    Path log = dir.resolve(started.member() + ".log");
    URI[] api = new URI[1];
    await("agent " + started.member() + " starts", () -> {
      assertThat(started.process().isAlive()).as("agent %s is running; its log:%n%s", started.member(), read(log))
          .isTrue();
      Matcher m = HEALTH.matcher(read(log));
      if (m.find()) {
        api[0] = URI.create(m.group(1));
        return true;
      }
      return false;
    });
    agents.set(agents.indexOf(started), new Agent(started.member(), started.process(), api[0]));
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private JsonNode get(Agent a, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(a.api().resolve(path)).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      return JSON.nullNode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Each live agent's owned policy ids, from its /v1/health; empty for an agent that does not answer. */
  private Map<String, Set<String>> owned(List<Agent> live) {
    Map<String, Set<String>> owned = new HashMap<>();
    for (Agent a : live) {
      Set<String> ids = new HashSet<>();
      get(a, "/v1/health").path("ha").path("owned").forEach(n -> ids.add(n.asText()));
      owned.put(a.member(), ids);
    }
    return owned;
  }

  /** Every policy owned by exactly one of {@code live}, each of which sees exactly {@code live} as members. */
  private boolean settled(List<Agent> live) {
    Map<String, Integer> owners = new HashMap<>();
    owned(live).values().forEach(ids -> ids.forEach(id -> owners.merge(id, 1, Integer::sum)));
    boolean members = live.stream().allMatch(a -> get(a, "/v1/health").path("ha").path("members").size() == live.size());
    return members && owners.size() == GROUPS && owners.values().stream().allMatch(n -> n == 1);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("%s within %s", what, WAIT).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  @Test
  void membersKilledInTurn_survivorsTakeEveryPolicyAndKeepTheCooldown() throws Exception {
    List<Agent> live = new ArrayList<>(agents);
    await("the three agents share the policies and scale every group to 3", () -> settled(live)
        && scaleCalls.size() == GROUPS && scaleCalls.values().stream().allMatch(n -> n.get() == 1));
    // Every policy now wants to scale again, but its one-hour cooldown holds, whoever owns it.
    for (int i = 0; i < GROUPS; i++) {
      fake.setDesiredOutOfBand("g-" + i, 1);
    }

    for (int kill = 0; kill < 2; kill++) {
      Agent victim = live.remove(0);
      Set<String> share = owned(List.of(victim)).get(victim.member());
      Instant killed = Instant.now();
      victim.process().destroyForcibly();
      assertThat(victim.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

      await("the survivors take the policies of " + victim.member(), () -> settled(live));
      await("a survivor evaluates each of " + share, () -> {
        Set<String> evaluated = new HashSet<>();
        for (Agent a : live) {
          for (JsonNode d : get(a, "/v1/decisions")) {
            if (Instant.parse(d.path("time").asText()).isAfter(killed)) {
              evaluated.add(d.path("policy_id").asText());
            }
          }
        }
        return evaluated.containsAll(share);
      });
    }

    assertThat(overlaps.get()).as("overlapping scale calls on one group").isZero();
    assertThat(scaleCalls.values()).as("scale calls per group").allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }
}
