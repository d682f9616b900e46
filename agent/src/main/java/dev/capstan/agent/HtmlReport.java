package dev.capstan.agent;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders simulation results as one self-contained HTML page: the summary table, then per policy an
 * inline SVG chart of load, capacity, desired count and scaling actions, and the list of actions.
 * No scripts, no external files, so the page opens anywhere and can be attached to an issue.
 */
final class HtmlReport {
  private static final int W = 1000;
  private static final int H = 320;
  private static final int LEFT = 64;
  private static final int RIGHT = 52;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("EEE HH:mm", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private HtmlReport() {}

  /** Returns the page for {@code results}; {@code scenario} is a sentence describing the run. */
  static String render(String scenario, List<SimulationResult> results) {
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<title>Capstan simulation</title>\n<style>\n")
        .append("body{font:14px/1.45 system-ui,sans-serif;max-width:1040px;margin:24px auto;padding:0 16px;color:#222}\n")
        .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}\n")
        .append("td:first-child,th:first-child,td.l,th.l{text-align:left}svg{width:100%;height:auto;background:#fcfcfc;border:1px solid #e4e4e4}\n")
        .append(".k{display:inline-block;width:14px;height:4px;margin:0 4px 3px 14px;vertical-align:middle}\n")
        .append("details{margin:6px 0 28px}code{font-size:12px}\n</style></head><body>\n")
        .append("<h1>Capstan simulation</h1>\n<p>").append(escape(scenario)).append("</p>\n");
    summary(html, results);
    for (SimulationResult r : results) {
      html.append("<h2>").append(escape(r.policyName())).append(" &rarr; ")
          .append(escape(r.profile().target())).append("</h2>\n<p>")
          .append(escape(r.profile().describe())).append(". Policy from <code>").append(escape(r.origin()))
          .append("</code>.</p>\n");
      chart(html, r);
      html.append("<div><span class=\"k\" style=\"background:#d9480f\"></span>load")
          .append("<span class=\"k\" style=\"background:#74a9cf\"></span>capacity taking work")
          .append("<span class=\"k\" style=\"background:#888\"></span>Raspberry Pis alone")
          .append("<span class=\"k\" style=\"background:#2b8a3e\"></span>desired cloud instances (right axis)")
          .append(" &#9650;&#9660; scaling actions</div>\n");
      actions(html, r);
    }
    html.append("</body></html>\n");
    return html.toString();
  }

  private static void summary(StringBuilder html, List<SimulationResult> results) {
    html.append("<table><tr><th>policy</th><th class=\"l\">target</th><th class=\"l\">instance</th>")
        .append("<th>actions (up/down)</th><th>instance-hours</th><th>cost</th>")
        .append("<th>minutes load &gt; capacity</th><th>peak instances</th></tr>\n");
    for (SimulationResult r : results) {
      html.append("<tr><td>").append(escape(r.policyName())).append("</td><td class=\"l\">")
          .append(escape(r.profile().target())).append("</td><td class=\"l\">")
          .append(escape(r.profile().instanceType())).append("</td><td>").append(r.actions().size())
          .append(" (").append(r.scaleUps()).append('/').append(r.scaleDowns()).append(")</td><td>")
          .append(fmt("%.1f", r.instanceHours())).append("</td><td>").append(fmt("$%.2f", r.cost()))
          .append("</td><td>").append(fmt("%.0f", r.minutesOverCapacity())).append("</td><td>")
          .append(r.peakCount()).append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static void chart(StringBuilder svg, SimulationResult r) {
    Timeline t = r.timeline();
    int minutes = t.size();
    double maxMhz = r.onpremMhz();
    long maxCount = Math.max(1, r.peakCount());
    for (int m = 0; m < minutes; m++) {
      maxMhz = Math.max(maxMhz, Math.max(t.demandMhz(m), t.capacityMhz(m)));
    }
    maxMhz = niceCeiling(maxMhz * 1.05);
    maxCount = niceCount(Math.min(Math.max(maxCount, r.max() == Long.MAX_VALUE ? 0 : r.max()), maxCount * 3));
    Scale s = new Scale(minutes, maxMhz, maxCount);

    svg.append("<svg viewBox=\"0 0 ").append(W).append(' ').append(H)
        .append("\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\" font-family=\"sans-serif\">\n");
    for (int i = 0; i <= 4; i++) {
      double y = TOP + (H - TOP - BOTTOM) * i / 4.0;
      svg.append(fmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e8e8e8\"/>", LEFT, W - RIGHT, y, y))
          .append(fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f GHz</text>", LEFT - 6, y + 4,
              maxMhz * (4 - i) / 4 / 1000))
          .append(fmt("<text x=\"%d\" y=\"%.1f\">%.0f</text>\n", W - RIGHT + 6, y + 4, maxCount * (4 - i) / 4.0));
    }
    long hourStep = minutes > 4 * 24 * 60 ? 24 : minutes > 36 * 60 ? 6 : minutes > 8 * 60 ? 3 : 1;
    for (long m = 0; m < minutes; m += hourStep * 60) {
      double x = s.x(m);
      svg.append(fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>", x, x, TOP, H - BOTTOM))
          .append(fmt("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, H - BOTTOM + 16,
              CLOCK.format(r.start().plus(Duration.ofMinutes(m)))));
    }
    // Capacity as a filled area under its line, so the gaps between load and capacity stand out.
    svg.append("<polygon fill=\"#74a9cf\" fill-opacity=\"0.35\" stroke=\"#74a9cf\" points=\"")
        .append(fmt("%.1f,%.1f ", s.x(0), s.yMhz(0)));
    for (int m = 0; m < minutes; m++) {
      svg.append(fmt("%.1f,%.1f ", s.x(m), s.yMhz(t.capacityMhz(m))));
    }
    svg.append(fmt("%.1f,%.1f\"/>\n", s.x(minutes - 1), s.yMhz(0)));
    svg.append(fmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>\n",
        LEFT, W - RIGHT, s.yMhz(r.onpremMhz()), s.yMhz(r.onpremMhz())));
    svg.append("<polyline fill=\"none\" stroke=\"#d9480f\" stroke-width=\"1.3\" points=\"");
    for (int m = 0; m < minutes; m++) {
      svg.append(fmt("%.1f,%.1f ", s.x(m), s.yMhz(t.demandMhz(m))));
    }
    svg.append("\"/>\n<polyline fill=\"none\" stroke=\"#2b8a3e\" stroke-width=\"1.6\" points=\"");
    for (int m = 0; m < minutes; m++) {
      if (m > 0 && t.desired(m) != t.desired(m - 1)) {
        svg.append(fmt("%.1f,%.1f ", s.x(m), s.yCount(t.desired(m - 1))));
      }
      svg.append(fmt("%.1f,%.1f ", s.x(m), s.yCount(t.desired(m))));
    }
    svg.append("\"/>\n");
    for (SimulationResult.Event e : r.actions()) {
      double x = s.x(e.at().toSeconds() / 60.0);
      double y = s.yCount(e.to());
      String points = e.up()
          ? fmt("%.1f,%.1f %.1f,%.1f %.1f,%.1f", x, y - 6, x - 5, y + 3, x + 5, y + 3)
          : fmt("%.1f,%.1f %.1f,%.1f %.1f,%.1f", x, y + 6, x - 5, y - 3, x + 5, y - 3);
      svg.append("<polygon fill=\"").append(e.up() ? "#2b8a3e" : "#e67700").append("\" points=\"").append(points)
          .append("\"><title>").append(escape(describe(r.start(), e))).append("</title></polygon>\n");
    }
    svg.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#bbb\"/>\n",
        LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
    svg.append("</svg>\n");
  }

  private static void actions(StringBuilder html, SimulationResult r) {
    html.append("<details><summary>").append(r.actions().size()).append(" scaling actions in ")
        .append(r.evaluations()).append(" evaluations</summary><ul>\n");
    for (SimulationResult.Event e : r.actions()) {
      html.append("<li>").append(escape(describe(r.start(), e))).append("</li>\n");
    }
    html.append("</ul></details>\n");
    if (r.held().isEmpty()) {
      return;
    }
    html.append("<details><summary>").append(r.held().size())
        .append(" evaluations held back: a check wanted a change the rules did not make</summary><ul>\n");
    for (SimulationResult.Event e : r.held()) {
      html.append("<li>").append(escape(CLOCK.format(r.start().plus(e.at())) + ": stays " + e.from() + " ("
          + e.reason() + ")")).append("</li>\n");
    }
    html.append("</ul></details>\n");
  }

  private static String describe(Instant start, SimulationResult.Event e) {
    return CLOCK.format(start.plus(e.at())) + ": " + e.from() + " \u2192 " + e.to() + " (" + e.reason() + ")";
  }

  /**
   * The smallest round number at least {@code v} whose quarters are round too (the chart has four
   * grid lines): 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6 or 8 times a power of ten.
   */
  static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(v)));
    for (double f : new double[] {1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10}) {
      if (f * power >= v) {
        return f * power;
      }
    }
    return 10 * power;
  }

  /** A count axis that divides into four whole steps. */
  private static long niceCount(long v) {
    return Math.max(4, (v + 3) / 4 * 4);
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** Maps minutes, MHz and counts to chart coordinates. */
  private record Scale(int minutes, double maxMhz, long maxCount) {
    double x(double minute) {
      return LEFT + minute * (W - LEFT - RIGHT) / Math.max(1, minutes - 1);
    }

    double yMhz(double mhz) {
      return H - BOTTOM - mhz / maxMhz * (H - TOP - BOTTOM);
    }

    double yCount(long count) {
      return H - BOTTOM - (double) count / maxCount * (H - TOP - BOTTOM);
    }
  }
}
