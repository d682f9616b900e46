package dev.capstan.internal;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.HCLParserException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

/**
 * The one place where Capstan calls hcl4j, so that every HCL file (policies, the agent's file) is
 * read the same way. Not API.
 *
 * <p>Two things differ from a bare {@code new HCLParser().parse(text)}:
 * <ol>
 *   <li>hcl4j logs every syntax error at ERROR, with a stack trace, before it throws. Our callers
 *       turn the exception into a message naming the file, line and column, so that log line only
 *       alarms an embedder's monitoring. hcl4j's logger ({@code HCLParser.log}, a non-final static
 *       field) is replaced once by one that passes everything on at DEBUG. This works with any SLF4J
 *       provider and forces none on the embedder. If a future hcl4j makes the field final or renames
 *       it, nothing breaks; the ERROR lines come back and {@code HclTest} fails.</li>
 *   <li>hcl4j evaluates {@code data "http"} blocks while parsing, with Apache HttpClient: a file
 *       could make the parser fetch a URL. Capstan's files have no {@code data} blocks, and Capstan
 *       excludes HttpClient from its dependencies, so the lookup is replaced by one that refuses.</li>
 * </ol>
 */
public final class Hcl {
  private static final boolean QUIETED = quietHcl4j();

  private Hcl() {}

  /**
   * Parses HCL text into hcl4j's tree of maps, lists, strings, booleans and numbers.
   *
   * @param text the HCL text
   * @return the tree
   * @throws HCLParserException or a {@link RuntimeException} wrapping one, when the text is not HCL
   *     (the message holds hcl4j's {@code line: L col: C})
   * @throws IOException never for a string, but hcl4j declares it
   */
  public static Map<String, Object> parse(String text) throws HCLParserException, IOException {
    HCLParser parser = new HCLParser();
    parser.registerDataLookup("http", config -> {
      throw new UnsupportedOperationException("data \"http\" blocks are not supported: "
          + "Capstan files never fetch URLs while they are read");
    });
    return parser.parse(text);
  }

  /**
   * Returns whether hcl4j's logger was replaced (false only if hcl4j changed its internals).
   *
   * @return {@code true} if hcl4j logs at DEBUG only
   */
  public static boolean quieted() {
    return QUIETED;
  }

  private static boolean quietHcl4j() {
    try {
      Field log = HCLParser.class.getDeclaredField("log");
      int modifiers = log.getModifiers();
      if (!Modifier.isStatic(modifiers) || Modifier.isFinal(modifiers) || log.getType() != Logger.class) {
        return false;
      }
      log.setAccessible(true);
      Logger original = (Logger) log.get(null);
      if (original != null && !(original instanceof AtDebug)) {
        log.set(null, new AtDebug(original));
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      // A different hcl4j: its ERROR lines reach the log again, which is noisy but harmless.
      return false;
    }
  }

  /** Passes every event, whatever its level, on to the delegate at DEBUG. */
  static final class AtDebug extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient Logger delegate;

    AtDebug(Logger delegate) {
      this.delegate = delegate;
      this.name = delegate.getName();
    }

    @Override
    public boolean isTraceEnabled() {
      return delegate.isDebugEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
      return delegate.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
      return delegate.isDebugEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
      return delegate.isDebugEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
      return delegate.isDebugEnabled();
    }

    @Override
    protected @Nullable String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, @Nullable Marker marker, String messagePattern,
        Object @Nullable [] arguments, @Nullable Throwable throwable) {
      Object[] args = arguments == null ? new Object[0] : arguments;
      if (throwable != null) {
        args = Arrays.copyOf(args, args.length + 1);
        args[args.length - 1] = throwable;
      }
      delegate.debug(messagePattern, args);
    }
  }
}
