package dev.capstan.internal;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.HCLParserException;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.Function;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.VariableTree;
import com.bertramlabs.plugins.hcl4j.symbols.HCLAttribute;
import com.bertramlabs.plugins.hcl4j.symbols.Symbol;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

/**
 * The one place where Capstan calls hcl4j, so that every HCL file (policies, the agent's file) is
 * read the same way. Not API.
 *
 * <p>These things differ from a bare {@code new HCLParser().parse(text)}:
 * <ol>
 *   <li>Numbers with an exponent ({@code 1e3}) are numbers, as in HCL; hcl4j's lexer misreads them
 *       ({@link HclNumbers} rewrites them first).</li>
 *   <li>The only functions are {@code jsonencode}, {@code env} and {@code file} ({@link HclFunctions});
 *       any other call is an error with its line and column, where hcl4j would silently give
 *       {@code null}. {@code env("NAME")} and {@code file("PATH")} become a {@link Reference} in the
 *       tree: the caller decides where a secret may appear and resolves it there. A reference must
 *       be an attribute's whole value, not part of a string or an argument.</li>
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
    Parser parser = new Parser();
    parser.registerDataLookup("http", config -> {
      throw new UnsupportedOperationException("data \"http\" blocks are not supported: "
          + "Capstan files never fetch URLs while they are read");
    });
    Map<String, Object> tree;
    try {
      tree = parser.parse(HclNumbers.plainDecimals(text));
    } catch (HCLParserException | RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof Problem p) {
          throw p;
        }
      }
      throw e;
    }
    // hcl4j also files an object passed to a function as a top-level block named after the function
    // (jsonencode({...}) adds "jsonencode" to the root): drop those stray copies.
    if (parser.called.isEmpty()) {
      return tree;
    }
    Map<String, Object> clean = new LinkedHashMap<>(tree);
    parser.called.forEach(clean::remove);
    return clean;
  }

  /**
   * A mistake in a file that hcl4j would not report: a call of an unknown function, or a function
   * called with the wrong arguments or in the wrong place.
   */
  public static final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;

    Problem(int line, int column, String message) {
      super("line " + line + ", column " + column + ": " + message);
      this.line = line;
      this.column = column;
    }

    /**
     * Returns the line of the call, from 1.
     *
     * @return the line
     */
    public int line() {
      return line;
    }

    /**
     * Returns the column of the call, from 1.
     *
     * @return the column
     */
    public int column() {
      return column;
    }

    /**
     * Returns what is wrong, without the position.
     *
     * @return the message
     */
    public String what() {
      String m = Objects.requireNonNull(getMessage());
      return m.substring(m.indexOf(": ") + 2);
    }
  }

  /**
   * A secret by reference, {@code env("NAME")} or {@code file("PATH")}, as it stands in the tree
   * until its reader resolves it. Its {@code toString} is the expression, never the value.
   *
   * @param function {@code env} or {@code file}
   * @param argument the variable's name or the file's path
   */
  public record Reference(String function, String argument) {
    /**
     * Checks the parts.
     *
     * @param function {@code env} or {@code file}
     * @param argument the variable's name or the file's path
     */
    public Reference {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(argument, "argument");
    }

    /**
     * Reads the value: the environment variable, or the file's content without its trailing line
     * breaks (a secret never ends in one, but the tools that write such files, and editors, add
     * one). A relative path is relative to the working directory.
     *
     * @param environment looks up an environment variable ({@code System::getenv} in production)
     * @return the value
     * @throws IllegalArgumentException saying why there is no value (unset, unreadable), never
     *     showing any value
     */
    public String resolve(UnaryOperator<String> environment) {
      if (function.equals("env")) {
        String value = environment.apply(argument);
        if (value == null) {
          throw new IllegalArgumentException(this + " has no value: the environment variable " + argument
              + " is not set");
        }
        return value;
      }
      try {
        String content = Files.readString(Path.of(argument), StandardCharsets.UTF_8);
        int end = content.length();
        while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
          end--;
        }
        return content.substring(0, end);
      } catch (IOException | RuntimeException e) {
        String kind = e.getClass().getSimpleName().replace("Exception", "");
        throw new IllegalArgumentException(this + " has no value: the file cannot be read (" + kind + ")");
      }
    }

    /**
     * Returns the expression as written.
     *
     * @return e.g. {@code env("AWS_SECRET_ACCESS_KEY")}
     */
    @Override
    public String toString() {
      return function + "(\"" + argument + "\")";
    }
  }

  /** hcl4j's parser with Capstan's functions only, each call checked where it stands. */
  private static final class Parser extends HCLParser {
    /** The functions the text called, whose names hcl4j may have added to the root. */
    final Set<String> called = new HashSet<>();

    Parser() {
      functionRegistry.clear();
      for (String name : HclFunctions.NAMES) {
        registerFunction(name, args -> HclFunctions.call(name, args));
      }
    }

    @Override
    protected Object evaluateFunctionCall(String name, Function function, Map<String, Object> context)
        throws HCLParserException {
      int line = function.getLine() == null ? 0 : function.getLine() + 1;
      int column = function.getColumn() == null ? 0 : function.getColumn() + 1;
      if (!functionRegistry.containsKey(name)) {
        throw new Problem(line, column, name + "(...) is not a function Capstan's files may call; they may call "
            + String.join(", ", HclFunctions.NAMES.stream().map(n -> n + "(...)").toList()));
      }
      boolean reference = name.equals("env") || name.equals("file");
      if (reference && !wholeValue(function)) {
        throw new Problem(line, column, name + "(...) must be the whole value of an attribute, as in "
            + "key = " + name + "(\"...\"), not part of a string, list or expression");
      }
      called.add(name);
      try {
        return super.evaluateFunctionCall(name, function, context);
      } catch (IllegalArgumentException e) {
        throw new Problem(line, column, e.getMessage());
      }
    }

    /** Whether the call is directly an attribute's value: {@code key = env("X")}. */
    private static boolean wholeValue(Function function) {
      Symbol parent = function.getParent();
      return parent instanceof VariableTree && parent.getParent() instanceof HCLAttribute;
    }
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
