package dev.capstan.policy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Checks that braces, brackets and strings in HCL text are closed, before hcl4j reads it.
 *
 * <p>hcl4j accepts an unclosed block or string without complaint and returns a partial tree, which
 * would surface as confusing "unknown attribute" problems; this scan reports the real mistake with
 * its line and column instead.
 */
final class HclBraces {
  private HclBraces() {}

  /**
   * Throws if a block, list or string is not closed, or a closing brace has no opening one.
   *
   * @throws PolicyException naming {@code origin:line:column} of the offending character
   */
  static void check(String text, String origin) {
    Deque<int[]> open = new ArrayDeque<>(); // {char, line, column}
    int line = 1;
    int column = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      column++;
      if (c == '\n') {
        line++;
        column = 0;
        i++;
        continue;
      }
      if (c == '#' || (c == '/' && i + 1 < n && text.charAt(i + 1) == '/')) {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        if (end < 0) {
          throw fail(origin, line, column, "the comment /* is never closed");
        }
        for (int k = i; k < end + 2; k++) {
          if (text.charAt(k) == '\n') {
            line++;
            column = 0;
          } else {
            column++;
          }
        }
        column--;
        i = end + 2;
        continue;
      }
      if (c == '<' && text.startsWith("<<", i)) {
        int skipped = skipHeredoc(text, i);
        if (skipped > i) {
          for (int k = i; k < skipped; k++) {
            if (text.charAt(k) == '\n') {
              line++;
              column = 0;
            }
          }
          i = skipped;
          continue;
        }
      }
      if (c == '"') {
        int startLine = line;
        int startColumn = column;
        i++;
        while (true) {
          if (i >= n || text.charAt(i) == '\n') {
            throw fail(origin, startLine, startColumn, "the string opened here is never closed");
          }
          char s = text.charAt(i);
          column++;
          i++;
          if (s == '\\') {
            i++;
            column++;
          } else if (s == '"') {
            break;
          }
        }
        continue;
      }
      if (c == '{' || c == '[') {
        open.push(new int[] {c, line, column});
      } else if (c == '}' || c == ']') {
        char expected = c == '}' ? '{' : '[';
        if (open.isEmpty() || open.peek()[0] != expected) {
          throw fail(origin, line, column, "'" + c + "' closes nothing that is open");
        }
        open.pop();
      }
      i++;
    }
    if (!open.isEmpty()) {
      int[] first = open.peekLast();
      int[] last = open.peek();
      throw fail(origin, last[1], last[2], "'" + (char) last[0] + "' opened here is never closed"
          + (first == last ? "" : " (nor the one on line " + first[1] + ")"));
    }
  }

  /** Returns the index after a heredoc ({@code <<EOF ... EOF} or {@code <<-EOF}), or {@code start}. */
  private static int skipHeredoc(String text, int start) {
    int i = start + 2;
    if (i < text.length() && text.charAt(i) == '-') {
      i++;
    }
    int nameStart = i;
    while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
      i++;
    }
    int lineEnd = text.indexOf('\n', i);
    if (i == nameStart || lineEnd < 0) {
      return start;
    }
    String marker = text.substring(nameStart, i);
    int pos = lineEnd + 1;
    while (pos < text.length()) {
      int end = text.indexOf('\n', pos);
      String content = text.substring(pos, end < 0 ? text.length() : end);
      if (content.strip().equals(marker)) {
        return end < 0 ? text.length() : end;
      }
      if (end < 0) {
        break;
      }
      pos = end + 1;
    }
    return start;
  }

  private static PolicyException fail(String origin, int line, int column, String what) {
    return new PolicyException(List.of(origin + ":" + line + ":" + column + ": malformed HCL: " + what));
  }
}
