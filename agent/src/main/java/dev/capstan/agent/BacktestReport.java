package dev.capstan.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.capstan.config.Durations;
import dev.capstan.engine.ScalingDecision;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link BacktestResult}: the terminal table, the JSON (figures and every decision, each in
 * the shape of {@code /v1/decisions}) and one self-contained HTML page (inline SVG, no scripts).
 */
final class BacktestReport {
  private static final String[] HEADERS = {"policy", "actions", "up", "down", "instance-hours", "cost",
      "min under capacity", "peak"};
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final int W = 1000;
  private static final int H = 300;
  private static final int PAD = 56;

  private BacktestReport() {}

  static String scenario(BacktestResult r, String source) {
    return String.format(Locale.ROOT, "Replayed %s of recorded metrics from %s (%s .. %s UTC, step %s) through the"
        + " real engine against a simulated group. Minutes under capacity: demand above the booted instances.",
        Durations.format(Duration.between(r.from(), r.to())), source, WHEN.format(r.from()), WHEN.format(r.to()),
        Durations.format(r.step()));
  }

  static String table(BacktestResult result) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADERS);
    for (BacktestResult.Run r : result.runs()) {
      rows.add(new String[] {r.label(), Long.toString(r.actionCount()), Long.toString(r.scaleUps()),
          Long.toString(r.scaleDowns()), String.format(Locale.ROOT, "%.1f", r.instanceHours()),
          String.format(Locale.ROOT, "$%.2f", r.cost()), String.format(Locale.ROOT, "%.0f", r.minutesUnderCapacity()),
          Long.toString(r.peakCount())});
    }
    int[] widths = new int[HEADERS.length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        String cell = c == 0 ? row[c] + " ".repeat(widths[c] - row[c].length())
            : " ".repeat(widths[c] - row[c].length()) + row[c];
        out.append(c == 0 ? "" : "  ").append(cell);
      }
      out.append(System.lineSeparator());
    }
    return out.toString().replaceAll(" +(\\R)", "$1");
  }

  /**
   * Writes the JSON: the range, then per run its figures and every decision. Streamed, one decision at a
   * time, because a month of one-minute evaluations is 43,200 decisions per run.
   */
  static void json(BacktestResult result, Writer out) throws IOException {
    try (JsonGenerator json = Json.generator(out, false)) {
      json.writeStartObject();
      json.writeStringField("from", result.from().toString());
      json.writeStringField("to", result.to().toString());
      json.writeStringField("step", Durations.format(result.step()));
      json.writeArrayFieldStart("runs");
      for (BacktestResult.Run r : result.runs()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", r.policyName());
        m.put("origin", r.origin());
        m.put("variant", r.variant());
        m.put("boot_delay", Durations.format(r.group().bootDelay()));
        m.put("starting_count", r.group().startingCount());
        m.put("capacity_per_instance", r.group().capacityPerInstance());
        m.put("price_per_hour", r.group().pricePerHour());
        m.put("actions", r.actionCount());
        m.put("scale_ups", r.scaleUps());
        m.put("scale_downs", r.scaleDowns());
        m.put("instance_hours", r.instanceHours());
        m.put("cost", r.cost());
        m.put("minutes_under_capacity", r.minutesUnderCapacity());
        m.put("peak", r.peakCount());
        m.put("problems", r.problems());
        json.writeStartObject();
        for (Map.Entry<String, Object> e : m.entrySet()) {
          json.writeFieldName(e.getKey());
          Json.write(json, e.getValue());
        }
        json.writeArrayFieldStart("decisions");
        for (ScalingDecision d : r.decisions()) {
          DecisionLog.write(json, d);
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeRaw('\n');
    }
  }

  /** Returns {@link #json(BacktestResult, Writer)}'s document as a string. */
  static String json(BacktestResult result) {
    StringWriter out = new StringWriter();
    try {
      json(result, out);
    } catch (IOException e) {
      throw new UncheckedIOException("a StringWriter does not fail", e);
    }
    return out.toString();
  }

  static String html(String scenario, BacktestResult result) {
    StringBuilder html = new StringBuilder(256 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Capstan backtest</title>\n")
        .append("<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1040px;margin:24px auto;padding:0 16px;color:#222}")
        .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{padding:4px 10px;border-bottom:1px solid #ddd;")
        .append("text-align:right}td:first-child,th:first-child{text-align:left}svg{width:100%;height:auto;")
        .append("background:#fcfcfc;border:1px solid #e4e4e4}.k{display:inline-block;width:14px;height:4px;")
        .append("margin:0 4px 3px 14px;vertical-align:middle}details{margin:6px 0 28px}</style></head><body>\n")
        .append("<h1>Capstan backtest</h1>\n<p>").append(HtmlReport.escape(scenario)).append("</p>\n<table><tr>");
    for (String h : HEADERS) {
      html.append("<th>").append(h).append("</th>");
    }
    html.append("</tr>\n");
    for (BacktestResult.Run r : result.runs()) {
      html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td>"
          + "<td>$%.2f</td><td>%.0f</td><td>%d</td></tr>%n", HtmlReport.escape(r.label()), r.actionCount(),
          r.scaleUps(), r.scaleDowns(), r.instanceHours(), r.cost(), r.minutesUnderCapacity(), r.peakCount()));
    }
    html.append("</table>\n");
    if (result.runs().stream().anyMatch(r -> !r.variant().isEmpty())) {
      tradeOff(html, result.runs());
    }
    for (BacktestResult.Run r : result.runs()) {
      html.append("<h2>").append(HtmlReport.escape(r.label())).append("</h2>\n<p>Policy from <code>")
          .append(HtmlReport.escape(r.origin())).append("</code>; group boots in ")
          .append(Durations.format(r.group().bootDelay())).append(String.format(Locale.ROOT,
              ", starts with %d, $%.4f per instance-hour.", r.group().startingCount(), r.group().pricePerHour()))
          .append(r.replayedCheck().isEmpty() ? "" : " Metric: check <code>" + HtmlReport.escape(r.replayedCheck())
              + "</code>.").append("</p>\n");
      chart(html, r);
      html.append("<div><span class=\"k\" style=\"background:#999\"></span>recorded metric")
          .append("<span class=\"k\" style=\"background:#d9480f\"></span>replayed metric (left axis)")
          .append("<span class=\"k\" style=\"background:#74a9cf\"></span>booted instances")
          .append("<span class=\"k\" style=\"background:#2b8a3e\"></span>group size (right axis)")
          .append(" &#9650;&#9660; scaling actions</div>\n<details><summary>")
          .append(r.actionCount()).append(" scaling actions</summary><table><tr><th>time (UTC)</th><th>from</th>")
          .append("<th>to</th><th>reason</th></tr>\n");
      for (ScalingDecision d : r.actions()) {
        html.append("<tr><td>").append(WHEN.format(d.time())).append("</td><td>")
            .append(d.currentCount().isPresent() ? Long.toString(d.currentCount().getAsLong()) : "")
            .append("</td><td>").append(d.action().orElseThrow().count()).append("</td><td style=\"text-align:left\">")
            .append(HtmlReport.escape(d.action().orElseThrow().reason())).append("</td></tr>\n");
      }
      html.append("</table></details>\n");
    }
    return html.append("</body></html>\n").toString();
  }

  private static void chart(StringBuilder html, BacktestResult.Run r) {
    List<BacktestResult.Point> trace = r.trace();
    if (trace.isEmpty()) {
      return;
    }
    double maxMetric = 1;
    long maxCount = 1;
    for (BacktestResult.Point p : trace) {
      maxMetric = Math.max(maxMetric, finite(p.recorded()));
      maxMetric = Math.max(maxMetric, finite(p.replayed()));
      maxCount = Math.max(maxCount, p.count());
    }
    long t0 = trace.get(0).time().toEpochMilli();
    long span = Math.max(1, trace.get(trace.size() - 1).time().toEpochMilli() - t0);
    double pw = W - 2 * PAD;
    double ph = H - 2 * PAD / 2.0 - 24;
    html.append("<svg viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\">\n");
    // Axes and labels.
    html.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"14\" font-size=\"11\">%.0f</text>"
        + "<text x=\"%d\" y=\"14\" font-size=\"11\">%d inst.</text>%n", maxMetric, W - PAD + 4, maxCount));
    html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>%n", PAD, H - 6,
        WHEN.format(trace.get(0).time()), W - PAD, H - 6, WHEN.format(trace.get(trace.size() - 1).time())));
    int stride = Math.max(1, trace.size() / 2000);
    StringBuilder booted = new StringBuilder();
    StringBuilder count = new StringBuilder();
    StringBuilder recorded = new StringBuilder();
    StringBuilder replayed = new StringBuilder();
    for (int i = 0; i < trace.size(); i += stride) {
      BacktestResult.Point p = trace.get(i);
      double x = PAD + pw * (p.time().toEpochMilli() - t0) / span;
      point(booted, x, 20 + ph * (1 - p.booted() / (double) maxCount));
      point(count, x, 20 + ph * (1 - p.count() / (double) maxCount));
      point(recorded, x, 20 + ph * (1 - finite(p.recorded()) / maxMetric));
      point(replayed, x, 20 + ph * (1 - finite(p.replayed()) / maxMetric));
    }
    html.append(String.format(Locale.ROOT, "<polyline points=\"%.1f,%.1f %s %.1f,%.1f\" fill=\"#74a9cf\""
        + " fill-opacity=\"0.35\" stroke=\"none\"/>%n", (double) PAD, 20 + ph, booted, PAD + pw, 20 + ph));
    line(html, count, "#2b8a3e", "");
    line(html, recorded, "#999", " stroke-dasharray=\"3 2\"");
    line(html, replayed, "#d9480f", "");
    for (ScalingDecision d : r.actions()) {
      double x = PAD + pw * (d.time().toEpochMilli() - t0) / span;
      boolean up = BacktestResult.Run.isUp(d);
      double y = 20 + ph * (1 - d.action().orElseThrow().count() / (double) maxCount);
      // Appended, not formatted: a month can hold thousands of actions per run.
      oneDecimal(html.append("<text x=\""), x).append("\" y=\"");
      oneDecimal(html, y + (up ? -2 : 10)).append("\" font-size=\"10\" fill=\"").append(up ? "#2b8a3e" : "#a61e4d")
          .append("\" text-anchor=\"middle\">").append(up ? "&#9650;" : "&#9660;").append("<title>")
          .append(WHEN.format(d.time())).append(' ').append(HtmlReport.escape(d.action().orElseThrow().reason()))
          .append("</title></text>").append(System.lineSeparator());
    }
    html.append("</svg>\n");
  }

  /**
   * The sweep's trade-off: cost (x) against minutes under capacity (y), one dot per run, joined in sweep
   * order. The axes span the runs' own range (padded), not zero to the maximum: sweep values often differ
   * by a few percent, and dots squeezed into one corner would hide the trade-off.
   */
  private static void tradeOff(StringBuilder html, List<BacktestResult.Run> runs) {
    double[] cost = axis(runs.stream().mapToDouble(BacktestResult.Run::cost).toArray());
    double[] minutes = axis(runs.stream().mapToDouble(BacktestResult.Run::minutesUnderCapacity).toArray());
    int w = 640;
    int h = 340;
    int left = 70;
    int right = w - 30;
    int top = 30;
    int bottom = h - 50;
    html.append("<h2>Cost against minutes under capacity</h2>\n<p>Each dot is one run, labelled with its sweep value"
        + " and joined in sweep order: right costs more, up is longer short of capacity. The best trade-offs sit low"
        + " and to the left.</p>\n")
        .append("<svg viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" style=\"max-width:640px\">\n")
        .append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
            + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>%n", left, bottom, right, bottom,
            left, top, left, bottom))
        .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">$%.2f</text>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">$%.2f</text>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">cost</text>%n",
            left, bottom + 16, cost[0], right, bottom + 16, cost[1], (left + right) / 2, bottom + 34))
        .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.1f</text>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.1f</text>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"12\">minutes under capacity</text>%n",
            left - 6, bottom, minutes[0], left - 6, top + 4, minutes[1], left, top - 12));
    StringBuilder path = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    int i = 0;
    for (BacktestResult.Run r : runs) {
      double x = left + (right - left) * (r.cost() - cost[0]) / (cost[1] - cost[0]);
      double y = bottom - (bottom - top) * (r.minutesUnderCapacity() - minutes[0]) / (minutes[1] - minutes[0]);
      point(path, x, y);
      // One swept attribute: its value says it all; several: the whole combination.
      String value = r.variant().isEmpty() ? r.label()
          : r.variant().contains(" ") ? r.variant() : r.variant().substring(r.variant().indexOf('=') + 1);
      boolean nearRight = x > right - 60;
      // Labels alternate above and below their dot, so neighbouring runs do not print over each other.
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#d9480f\">"
          + "<title>%s: $%.2f, %.0f min under capacity</title></circle>"
          + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\"%s>%s</text>%n", x, y, HtmlReport.escape(r.label()), r.cost(),
          r.minutesUnderCapacity(), nearRight ? x - 8 : x + 8, i % 2 == 0 ? y - 8 : y + 16,
          nearRight ? " text-anchor=\"end\"" : "", HtmlReport.escape(value)));
      i++;
    }
    html.append("<polyline points=\"").append(path).append("\" fill=\"none\" stroke=\"#d9480f\" stroke-opacity=\"0.4\"/>\n")
        .append(dots).append("</svg>\n");
  }

  /** The shown range of some values: their own span, padded by a tenth of it (at least 1 unit overall). */
  static double[] axis(double[] values) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double pad = Math.max((max - min) / 10, max - min < 1e-9 ? Math.max(Math.abs(max) / 10, 0.5) : 0);
    double low = min - pad;
    // Never below zero: neither a cost nor a duration can be negative.
    return new double[] {min >= 0 ? Math.max(0, low) : low, max + pad};
  }

  private static void point(StringBuilder out, double x, double y) {
    oneDecimal(out, x).append(',');
    oneDecimal(out, y).append(' ');
  }

  /** Appends {@code v} rounded half up to one decimal, as {@code %.1f} would, without a formatter per number. */
  static StringBuilder oneDecimal(StringBuilder out, double v) {
    long tenths = Math.round(Math.abs(v) * 10);
    if (v < 0 && tenths != 0) {
      out.append('-');
    }
    return out.append(tenths / 10).append('.').append(tenths % 10);
  }

  private static void line(StringBuilder html, StringBuilder points, String colour, String extra) {
    html.append("<polyline points=\"").append(points).append("\" fill=\"none\" stroke=\"").append(colour)
        .append("\" stroke-width=\"1.4\"").append(extra).append("/>\n");
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
