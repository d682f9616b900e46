package dev.capstan.internal;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The functions Capstan's HCL files may call, and nothing else.
 *
 * <ul>
 *   <li>{@code jsonencode(value)}: nomad-autoscaler's policy files enable exactly this one (go-cty's
 *       {@code stdlib.JSONEncodeFunc}), e.g. for an Instana query written as an HCL object. Its
 *       output is the peer's: compact, object keys sorted, whole numbers without a fraction,
 *       {@code <}, {@code >} and {@code &} escaped as Go's encoder does. hcl4j's own
 *       {@code jsonencode} pretty-prints and writes {@code 1.0}.</li>
 *   <li>{@code env("NAME")} and {@code file("PATH")}: Capstan's secret references. They are not
 *       resolved here: each becomes a {@link Hcl.Reference}, which the reader of the file resolves
 *       where references are allowed, so that it knows which values are secrets.</li>
 * </ul>
 *
 * <p>hcl4j registers some forty functions of its own ({@code upper}, {@code timestamp}, ...) that the
 * peer does not offer; they are removed, so a file that loads here also loads in the peer.
 */
final class HclFunctions {
  /** Every function a file may call. */
  static final List<String> NAMES = List.of("jsonencode", "env", "file");

  private HclFunctions() {}

  /** Returns the value of function {@code name} for {@code args}, or throws a message naming what is wrong. */
  static Object call(String name, List<Object> args) {
    return switch (name) {
      case "jsonencode" -> jsonencode(only(name, args, "a value"));
      case "env", "file" -> reference(name, args);
      default -> throw new IllegalArgumentException(name + "(...) is not a function Capstan's files may call; "
          + "they may call " + String.join(", ", NAMES.stream().map(n -> n + "(...)").toList()));
    };
  }

  private static Object only(String name, List<Object> args, String what) {
    if (args.size() != 1) {
      throw new IllegalArgumentException(name + "(...) takes exactly one argument, " + what + ", but was given "
          + args.size());
    }
    return args.get(0);
  }

  private static Hcl.Reference reference(String name, List<Object> args) {
    String what = name.equals("env") ? "the name of an environment variable" : "the path of a file";
    if (!(only(name, args, what) instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(name + "(...) takes " + what + " as a quoted string, e.g. "
          + (name.equals("env") ? "env(\"AWS_SECRET_ACCESS_KEY\")" : "file(\"/secrets/aws_secret_access_key\")"));
    }
    return new Hcl.Reference(name, s);
  }

  /** Renders a value of hcl4j's tree as JSON, as go-cty's {@code jsonencode} renders the same value. */
  static String jsonencode(@Nullable Object value) {
    StringBuilder out = new StringBuilder();
    json(value, out);
    return out.toString();
  }

  private static void json(@Nullable Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean b) {
      out.append(b);
    } else if (value instanceof Number n) {
      out.append(number(n));
    } else if (value instanceof String s) {
      string(s, out);
    } else if (value instanceof Map<?, ?> map) {
      // go-cty orders an object's attributes by name.
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        out.append(first ? "" : ",");
        first = false;
        string(e.getKey(), out);
        out.append(':');
        json(e.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int k = 0; k < list.size(); k++) {
        out.append(k == 0 ? "" : ",");
        json(list.get(k), out);
      }
      out.append(']');
    } else if (value instanceof Hcl.Reference ref) {
      throw new IllegalArgumentException(ref + " cannot be inside jsonencode(...): a secret reference must be the "
          + "whole value of an attribute");
    } else {
      throw new IllegalArgumentException("jsonencode(...) cannot encode " + value.getClass().getSimpleName());
    }
  }

  private static String number(Number n) {
    if (n instanceof Double d && (d.isNaN() || d.isInfinite())) {
      throw new IllegalArgumentException("jsonencode(...) cannot encode " + d);
    }
    BigDecimal decimal = n instanceof BigDecimal b ? b : new BigDecimal(n.toString());
    return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          // Go's encoder escapes HTML's special characters and the two JavaScript line separators.
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
