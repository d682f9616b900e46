package dev.capstan.consumer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the Java blocks of Markdown files and the tagged regions of Java sources, and compares them.
 *
 * <p>A Markdown block is <code>```java</code> ... <code>```</code> with {@code <!-- snippet: NAME -->}
 * on the line above; a region is the lines between {@code // tag::NAME[]} and {@code // end::NAME[]}.
 * Both are compared without their common indentation and trailing spaces.
 */
final class Snippets {
  private static final Pattern MARKER = Pattern.compile("^<!-- snippet: ([a-z0-9-]+) -->$");
  private static final Pattern TAG = Pattern.compile("^\\s*// tag::([a-z0-9-]+)\\[]$");
  private static final Pattern END = Pattern.compile("^\\s*// end::([a-z0-9-]+)\\[]$");

  private Snippets() {}

  /** A block or region: its name, where it starts (file:line) and its text. */
  record Snippet(String name, String where, String text) {}

  /** The Java blocks of {@code markdown}; an unnamed or unclosed block is a problem. */
  static List<Snippet> javaBlocks(String origin, String markdown, List<String> problems) {
    List<Snippet> blocks = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].strip().equals("```java")) {
        continue;
      }
      Matcher named = MARKER.matcher(i > 0 ? lines[i - 1].strip() : "");
      int end = i + 1;
      while (end < lines.length && !lines[end].strip().equals("```")) {
        end++;
      }
      if (end == lines.length) {
        problems.add(origin + ":" + (i + 1) + ": the java block is not closed");
        break;
      }
      if (!named.matches()) {
        problems.add(origin + ":" + (i + 1) + ": a java block needs <!-- snippet: NAME --> on the line above, "
            + "NAME being a // tag::NAME[] region of a consumer project under consumer-it/src/it");
      } else {
        blocks.add(new Snippet(named.group(1), origin + ":" + (i + 2), normalize(lines, i + 1, end)));
      }
      i = end;
    }
    return blocks;
  }

  /** The tagged regions of a Java source; a region must close and be unique within the file. */
  static Map<String, Snippet> regions(String origin, String source, List<String> problems) {
    Map<String, Snippet> regions = new LinkedHashMap<>();
    String[] lines = source.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher tag = TAG.matcher(lines[i]);
      if (!tag.matches()) {
        continue;
      }
      String name = tag.group(1);
      int end = i + 1;
      while (end < lines.length && !(END.matcher(lines[end]).matches() && lines[end].contains("::" + name + "["))) {
        end++;
      }
      if (end == lines.length) {
        problems.add(origin + ":" + (i + 1) + ": region " + name + " has no // end::" + name + "[]");
        break;
      }
      Snippet region = new Snippet(name, origin + ":" + (i + 2), normalize(lines, i + 1, end));
      if (regions.putIfAbsent(name, region) != null) {
        problems.add(origin + ":" + (i + 1) + ": region " + name + " is tagged twice");
      }
      i = end;
    }
    return regions;
  }

  /** Adds a problem for every block that differs from its region and every region no block shows. */
  static void compare(List<Snippet> blocks, Map<String, Snippet> regions, List<String> problems) {
    for (Snippet block : blocks) {
      Snippet region = regions.get(block.name());
      if (region == null) {
        problems.add(block.where() + ": snippet " + block.name() + " is not a // tag::" + block.name()
            + "[] region of any consumer project, so no build runs it");
        continue;
      }
      String[] shown = block.text().split("\n", -1);
      String[] run = region.text().split("\n", -1);
      for (int i = 0; i < Math.max(shown.length, run.length); i++) {
        String a = i < shown.length ? shown[i] : "<end of block>";
        String b = i < run.length ? run[i] : "<end of region>";
        if (!a.equals(b)) {
          problems.add(block.where() + ": snippet " + block.name() + " line " + (i + 1) + " differs from "
              + region.where() + "\n  docs:     " + a + "\n  consumer: " + b);
          break;
        }
      }
    }
    for (Snippet region : regions.values()) {
      if (blocks.stream().noneMatch(b -> b.name().equals(region.name()))) {
        problems.add(region.where() + ": region " + region.name() + " is shown in no README.md or docs/ page");
      }
    }
  }

  /** Every Java block of README.md and docs/*.md under {@code root}. */
  static List<Snippet> docBlocks(Path root, List<String> problems) {
    List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Snippet> blocks = new ArrayList<>();
    for (Path page : pages) {
      blocks.addAll(javaBlocks(root.relativize(page).toString(), read(page), problems));
    }
    return blocks;
  }

  /** Every tagged region of the Java sources under {@code projects}. */
  static Map<String, Snippet> consumerRegions(Path root, Path projects, List<String> problems) {
    Map<String, Snippet> regions = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(projects)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        regions(root.relativize(file).toString(), read(file), problems).forEach((name, region) -> {
          if (regions.putIfAbsent(name, region) != null) {
            problems.add(region.where() + ": region " + name + " is also tagged in " + regions.get(name).where());
          }
        });
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return regions;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String normalize(String[] lines, int from, int to) {
    int indent = Integer.MAX_VALUE;
    for (int i = from; i < to; i++) {
      if (!lines[i].isBlank()) {
        indent = Math.min(indent, lines[i].length() - lines[i].stripLeading().length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (int i = from; i < to; i++) {
      String line = lines[i].isBlank() ? "" : lines[i].substring(indent).stripTrailing();
      text.append(line).append(i + 1 < to ? "\n" : "");
    }
    return text.toString();
  }
}
