package dev.capstan.agent;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code capstan pause|hold|resume POLICY}: set or clear an operator's override on a running agent
 * through its HTTP API ({@code /v1/policy/{id}/override}). Each prints the agent's JSON answer and exits
 * 0 on a 2xx answer, 1 otherwise.
 */
final class OverrideCommands {
  private OverrideCommands() {}

  /** Options every override command shares. */
  static class Target {
    @Parameters(index = "0", paramLabel = "POLICY", description = "The policy's id, or its name when unique.")
    String policy;

    @Option(names = "--address", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
        description = "The agent's HTTP API (default: ${DEFAULT-VALUE}).")
    URI address;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "A file holding the agent's HTTP token (its http { token_file }), sent as a bearer token.")
    Path tokenFile;

    int send(CommandSpec spec, String method, Map<String, Object> body) {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      URI uri = address.resolve("/v1/policy/" + URLEncoder.encode(policy, StandardCharsets.UTF_8) + "/override");
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
      if (tokenFile != null) {
        try {
          request.header("Authorization", "Bearer " + Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
          err.println("cannot read --token-file " + tokenFile + ": " + e.getClass().getSimpleName());
          err.flush();
          return 1;
        }
      }
      request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
          : request.header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
      try {
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
            .send(request.build(), HttpResponse.BodyHandlers.ofString());
        boolean ok = response.statusCode() / 100 == 2;
        (ok ? out : err).print(response.body());
        (ok ? out : err).flush();
        return ok ? 0 : 1;
      } catch (IOException e) {
        err.println("cannot reach the agent at " + address + ": " + e.getMessage());
        err.flush();
        return 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
  }

  /** When, why and who: shared by pause and hold. */
  static class Details {
    @ArgGroup(exclusive = true)
    Expiry expiry;

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "Why (kept with the override).")
    String reason;

    @Option(names = "--author", paramLabel = "NAME", defaultValue = "${sys:user.name}",
        description = "Who (default: the current user).")
    String author;

    void into(Map<String, Object> body) {
      if (expiry != null && expiry.lasting != null) {
        body.put("for", expiry.lasting);
      }
      if (expiry != null && expiry.until != null) {
        body.put("until", expiry.until);
      }
      if (reason != null && !reason.isEmpty()) {
        body.put("reason", reason);
      }
      if (author != null && !author.isEmpty()) {
        body.put("author", author);
      }
    }
  }

  /** {@code --for} or {@code --until}. */
  static class Expiry {
    @Option(names = "--for", paramLabel = "DURATION", description = "How long it lasts, e.g. 90m or 2h.")
    String lasting;

    @Option(names = "--until", paramLabel = "INSTANT", description = "When it ends, e.g. 2026-05-04T09:00:00Z.")
    String until;
  }

  /** {@code capstan pause POLICY [--scale-in | --scale-out] [--for D | --until T] [--reason R]}. */
  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = {"Pauses a policy on a running agent: scale-in only, scale-out only, or both (the default).",
          "Without --for or --until it lasts until `capstan resume`."})
  static final class Pause implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @picocli.CommandLine.Mixin
    private Target target = new Target();

    @ArgGroup(exclusive = true)
    private Direction direction;

    @picocli.CommandLine.Mixin
    private Details details = new Details();

    /** Which direction to pause. */
    static class Direction {
      @Option(names = "--scale-in", description = "Pause scale-in only.")
      boolean in;

      @Option(names = "--scale-out", description = "Pause scale-out only.")
      boolean out;
    }

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("kind", direction == null ? "pause" : direction.in ? "pause_scale_in" : "pause_scale_out");
      details.into(body);
      return target.send(spec, "PUT", body);
    }
  }

  /** {@code capstan hold POLICY --count N [--for D | --until T] [--reason R]}. */
  @Command(name = "hold", mixinStandardHelpOptions = true,
      description = {"Holds a policy's group at a count on a running agent, whatever its checks say.",
          "Without --for or --until it lasts until `capstan resume`."})
  static final class Hold implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @picocli.CommandLine.Mixin
    private Target target = new Target();

    @Option(names = "--count", required = true, paramLabel = "N", description = "The count to hold at.")
    private long count;

    @picocli.CommandLine.Mixin
    private Details details = new Details();

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("kind", "hold");
      body.put("count", count);
      details.into(body);
      return target.send(spec, "PUT", body);
    }
  }

  /** {@code capstan resume POLICY}: removes the override. */
  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Removes a policy's override (pause or hold) on a running agent.")
  static final class Resume implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @picocli.CommandLine.Mixin
    private Target target = new Target();

    @Override
    public Integer call() {
      return target.send(spec, "DELETE", null);
    }
  }
}
