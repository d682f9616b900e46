package dev.capstan.internal;

import java.math.BigDecimal;

/**
 * Rewrites HCL number literals with an exponent ({@code 1e3}, {@code 1.5E-2}) as plain decimals
 * ({@code 1000}, {@code 0.015}) before hcl4j reads the text.
 *
 * <p>hcl4j 0.9.8's lexer splits {@code 1e3} into {@code 1} and the identifier {@code e3} (the value
 * becomes the string {@code "e3"}) and reads {@code 1e+3} as {@code 1e + 3}; HCL itself, and so
 * nomad-autoscaler, accept all of them as numbers. The lexer is generated code inside the dependency,
 * so the literal is fixed here, in the text, where only code is touched: comments, quoted strings
 * and heredocs are copied as they are, while the expressions inside a string's {@code ${...}} are
 * code again. A rewritten literal may be longer than the original, so a column hcl4j reports later
 * on the same line can be off by a few characters; lines stay exact.
 */
final class HclNumbers {
  private HclNumbers() {}

  /** Returns {@code text} with every exponent literal in code rewritten; the same instance when there is none. */
  static String plainDecimals(String text) {
    if (!mayHaveExponent(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    new Scan(text, out).code(false);
    return out.toString();
  }

  /** A cheap first look: a digit directly followed by e or E somewhere. */
  private static boolean mayHaveExponent(String text) {
    for (int i = 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c == 'e' || c == 'E') && isDigit(text.charAt(i - 1))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
  }

  /** One pass over the text, copying it to {@code out}. */
  private static final class Scan {
    private final String text;
    private final StringBuilder out;
    private int i;

    Scan(String text, StringBuilder out) {
      this.text = text;
      this.out = out;
    }

    /** Copies code; inside a template ({@code nested}) it stops after the {@code }} that closes it. */
    void code(boolean nested) {
      int depth = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (c == '#' || (c == '/' && next() == '/')) {
          copyUntil('\n');
        } else if (c == '/' && next() == '*') {
          int end = text.indexOf("*/", i + 2);
          copyTo(end < 0 ? text.length() : end + 2);
        } else if (c == '"') {
          string();
        } else if (c == '<' && text.startsWith("<<", i) && heredocEnd() > i) {
          copyTo(heredocEnd());
        } else if (isDigit(c) && !afterIdentifier()) {
          number();
        } else {
          if (nested && c == '{') {
            depth++;
          } else if (nested && c == '}' && depth-- == 0) {
            out.append(c);
            i++;
            return;
          }
          out.append(c);
          i++;
        }
      }
    }

    /** Copies a quoted string, treating the expressions of its {@code ${...}} as code. */
    private void string() {
      out.append('"');
      i++;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (c == '\\' && i + 1 < text.length()) {
          out.append(c).append(text.charAt(i + 1));
          i += 2;
        } else if (c == '$' && next() == '$') {
          out.append("$$");
          i += 2;
        } else if (c == '$' && next() == '{') {
          out.append("${");
          i += 2;
          code(true);
        } else {
          out.append(c);
          i++;
          if (c == '"' || c == '\n') {
            return;
          }
        }
      }
    }

    private void number() {
      int start = i;
      int j = digits(i);
      if (j < text.length() && text.charAt(j) == '.' && j + 1 < text.length() && isDigit(text.charAt(j + 1))) {
        j = digits(j + 1);
      }
      int mantissaEnd = j;
      if (j < text.length() && (text.charAt(j) == 'e' || text.charAt(j) == 'E')) {
        int k = j + 1;
        if (k < text.length() && (text.charAt(k) == '+' || text.charAt(k) == '-')) {
          k++;
        }
        if (k < text.length() && isDigit(text.charAt(k))) {
          int end = digits(k);
          if (end >= text.length() || !isIdentifierPart(text.charAt(end)) || text.charAt(end) == '-') {
            out.append(new BigDecimal(text.substring(start, end)).toPlainString());
            i = end;
            return;
          }
        }
      }
      out.append(text, start, mantissaEnd);
      i = mantissaEnd;
    }

    /**
     * Whether the digit at {@code i} continues a name ({@code e3}, {@code node-1e3}: in HCL a dash
     * after a letter or digit is part of the identifier) rather than starting a number ({@code -1e3}).
     */
    private boolean afterIdentifier() {
      if (i == 0) {
        return false;
      }
      char before = text.charAt(i - 1);
      if (before == '-') {
        return i >= 2 && (Character.isLetterOrDigit(text.charAt(i - 2)) || text.charAt(i - 2) == '_');
      }
      return Character.isLetterOrDigit(before) || before == '_' || before == '.';
    }

    private int digits(int from) {
      int j = from;
      while (j < text.length() && isDigit(text.charAt(j))) {
        j++;
      }
      return j;
    }

    private char next() {
      return i + 1 < text.length() ? text.charAt(i + 1) : '\0';
    }

    private void copyUntil(char stop) {
      int end = text.indexOf(stop, i);
      copyTo(end < 0 ? text.length() : end);
    }

    private void copyTo(int end) {
      out.append(text, i, end);
      i = end;
    }

    /** Returns the index after a heredoc ({@code <<EOF ... EOF}, {@code <<-EOF}) starting here, or {@code i}. */
    private int heredocEnd() {
      int j = i + 2;
      if (j < text.length() && text.charAt(j) == '-') {
        j++;
      }
      int nameStart = j;
      while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
        j++;
      }
      int lineEnd = text.indexOf('\n', j);
      if (j == nameStart || lineEnd < 0) {
        return i;
      }
      String marker = text.substring(nameStart, j);
      int pos = lineEnd + 1;
      while (pos < text.length()) {
        int end = text.indexOf('\n', pos);
        String line = text.substring(pos, end < 0 ? text.length() : end);
        if (line.strip().equals(marker)) {
          return end < 0 ? text.length() : end;
        }
        if (end < 0) {
          break;
        }
        pos = end + 1;
      }
      return i;
    }
  }
}
