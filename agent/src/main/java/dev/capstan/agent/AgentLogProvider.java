package dev.capstan.agent;

import com.google.auto.service.AutoService;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of the {@code capstan} command, found by SLF4J through {@link java.util.ServiceLoader}:
 * every logger writes through {@link AgentLog}, which honours the agent file's {@code log_level},
 * {@code log_json} and {@code log_include_location}. It is the only provider in the agent's
 * distribution; an embedder who puts {@code capstan-agent} on a class path with another provider
 * chooses with SLF4J's {@code slf4j.provider} system property.
 */
@AutoService(SLF4JServiceProvider.class)
public final class AgentLogProvider implements SLF4JServiceProvider {
  private final AgentLog factory = new AgentLog();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** Creates the provider; SLF4J calls {@link #initialize()} before using it. */
  public AgentLogProvider() {}

  /** Returns the factory of the agent's loggers. */
  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  /** Returns SLF4J's basic marker factory (markers are not written). */
  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  /** Returns an MDC that keeps nothing: the agent's lines carry no context map. */
  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  /** Returns the SLF4J API version this provider is written against. */
  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  /** Nothing to prepare: {@link AgentLog} starts at INFO, in text, on standard error. */
  @Override
  public void initialize() {
  }
}
