package dev.capstan.agent;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The agent's log output, behind SLF4J ({@link AgentLogProvider}): one line per event on standard
 * error, in nomad-autoscaler's shapes, so {@code log_level}, {@code log_json} and
 * {@code log_include_location} mean what they mean there.
 *
 * <ul>
 *   <li>Text: {@code 2026-12-01T13:15:02.123Z [INFO]  dev.capstan.agent.Agent: policy web loaded}; with
 *       the location, {@code Agent.java:312:} comes before the logger's name.
 *   <li>JSON, one object a line: {@code @timestamp}, {@code @level} (lower case), {@code @module} (the
 *       logger), {@code @message}, with the location {@code @caller}, with an exception
 *       {@code @exception} (its stack trace); the keys of the peer's hclog.
 * </ul>
 *
 * <p>The level applies to Capstan's loggers ({@code dev.capstan...}); the libraries' loggers stay at
 * INFO so a TRACE agent is not buried under SDK wire logs. {@link #configure} is read on every event,
 * so it applies to loggers created before it.
 */
final class AgentLog implements ILoggerFactory {
  /** What to write and where. */
  private record Settings(Level level, boolean json, boolean includeLocation, PrintStream out, Clock clock) {}

  /** Milliseconds always, so lines align, as the peer's logger writes its times. */
  private static final java.time.format.DateTimeFormatter TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX", Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

  private static volatile Settings settings = new Settings(Level.INFO, false, false, System.err, Clock.systemUTC());

  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

  /**
   * Sets the level of Capstan's loggers and the format of every line.
   *
   * @param level TRACE, DEBUG, INFO, WARN or ERROR
   * @param json one JSON object per line instead of text
   * @param includeLocation name the source file and line of each event
   */
  static void configure(Level level, boolean json, boolean includeLocation) {
    Settings s = settings;
    settings = new Settings(level, json, includeLocation, s.out(), s.clock());
  }

  /** Sends the lines to {@code out} with time from {@code clock}; tests read them there. */
  static void writeTo(PrintStream out, Clock clock) {
    Settings s = settings;
    settings = new Settings(s.level(), s.json(), s.includeLocation(), out, clock);
  }

  /** The settings of a process that configured nothing: INFO, text, standard error. */
  static void reset() {
    settings = new Settings(Level.INFO, false, false, System.err, Clock.systemUTC());
  }

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, AgentLogger::new);
  }

  /**
   * One event as the line it is written as (without the line break).
   *
   * @param caller the source file and line, if the location is included
   */
  static String line(Instant time, Level level, String logger, String message, Throwable thrown,
      Optional<String> caller, boolean json) {
    if (json) {
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("@timestamp", TIME.format(time));
      event.put("@level", level.name().toLowerCase(Locale.ROOT));
      event.put("@module", logger);
      event.put("@message", message);
      caller.ifPresent(c -> event.put("@caller", c));
      if (thrown != null) {
        event.put("@exception", stackTrace(thrown));
      }
      return Json.compact(event);
    }
    String tag = "[" + level.name() + "]";
    StringBuilder b = new StringBuilder().append(TIME.format(time)).append(' ').append(String.format(Locale.ROOT, "%-8s", tag));
    caller.ifPresent(c -> b.append(c).append(": "));
    b.append(logger).append(": ").append(message);
    if (thrown != null) {
      b.append(System.lineSeparator()).append(stackTrace(thrown).stripTrailing());
    }
    return b.toString();
  }

  private static String stackTrace(Throwable thrown) {
    StringWriter w = new StringWriter();
    thrown.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /**
   * Loggers of the Azure credential chain. A refused client secret makes them log it three times over
   * (MSAL's WARN, the credential's multi-line ERROR, the token cache's ERROR) beside Capstan's own
   * one-line error, which names the AADSTS code and message; so they are heard only at
   * {@code -log-level=debug} or trace, where the whole story is wanted.
   */
  private static final List<String> CREDENTIAL_ECHOES = List.of("com.azure.identity", "com.microsoft.aad.msal4j",
      "com.azure.core.credential.AccessTokenCache");

  /** A named logger; every decision reads the current settings. */
  private static final class AgentLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final boolean capstan;
    private final boolean credentialEcho;

    AgentLogger(String name) {
      this.name = name;
      this.capstan = name.startsWith("dev.capstan");
      this.credentialEcho = CREDENTIAL_ECHOES.stream().anyMatch(name::startsWith);
    }

    private boolean enabled(Level level) {
      Level capstanLevel = settings.level();
      if (credentialEcho && capstanLevel.toInt() > Level.DEBUG.toInt()) {
        return false;
      }
      Level threshold = capstan || credentialEcho ? capstanLevel : Level.INFO;
      return level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
        Throwable thrown) {
      Settings s = settings;
      String message = MessageFormatter.basicArrayFormat(pattern, args);
      Optional<String> caller = s.includeLocation() ? caller() : Optional.empty();
      String text = line(s.clock().instant(), level, name, message, thrown, caller, s.json());
      // One println per event, so lines of two threads never interleave.
      s.out().println(text);
    }

    /** The first frame outside SLF4J and this class: where the event was logged. */
    private static Optional<String> caller() {
      return StackWalker.getInstance().walk(frames -> frames
          .filter(f -> !f.getClassName().startsWith("org.slf4j.") && !f.getClassName().equals(AgentLog.class.getName())
              && !f.getClassName().startsWith(AgentLog.class.getName() + "$"))
          .findFirst()
          .map(f -> (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber()));
    }
  }
}
