package dev.capstan.source.prometheus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSourceException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads Prometheus HTTP API query responses ({@code /api/v1/query} and {@code /api/v1/query_range})
 * into a {@link MetricSeries}, e.g. responses recorded for a backtest.
 *
 * <p>The body is read with a streaming parser: no tree of the response is built, and only the first
 * series' points are kept. {@code matrix}, {@code vector} and {@code scalar} results are understood.
 * Samples whose value is {@code NaN}, {@code +Inf} or {@code -Inf} are dropped, because a
 * {@link MetricSeries} holds finite values only.
 */
public final class PrometheusResponses {
  private static final JsonFactory JSON = JsonFactory.builder().build();
  /** How many series' labels an error message names; the rest are counted. */
  private static final int LABELS_SHOWN = 3;

  private PrometheusResponses() {}

  /**
   * Parses a complete response body into the single series it holds.
   *
   * @param json the response body; read to the end but not closed
   * @param query the query that produced it, named in error messages
   * @return the series, oldest first, without NaN or infinite samples
   * @throws MetricSourceException if the body is not a Prometheus response, reports an error, holds
   *     no series, more than one series, or only NaN/infinite samples; the message says which
   */
  public static MetricSeries parse(InputStream json, String query) {
    Objects.requireNonNull(query, "query");
    String where = "Prometheus response, query '" + query + "'";
    Parsed parsed;
    try {
      parsed = parse(json, 16);
    } catch (IOException | IllegalArgumentException e) {
      throw new MetricSourceException(where + ": the body is not a Prometheus API response (" + e.getMessage() + ")", e);
    }
    if (!parsed.isSuccess()) {
      throw new MetricSourceException(where + ": Prometheus reported " + parsed.errorType().orElse("an error") + ": "
          + parsed.error().orElse("(no message)"));
    }
    return parsed.singleSeries(where, "the response");
  }

  /**
   * What a response said.
   *
   * @param status {@code success} or {@code error}; empty if the body had none
   * @param errorType Prometheus' error class, e.g. {@code bad_data}
   * @param error Prometheus' own error message
   * @param resultType {@code matrix}, {@code vector}, {@code scalar} or {@code string}
   * @param seriesCount how many series the result held (a scalar counts as one)
   * @param labels the labels of the first few series, as PromQL selectors
   * @param first the first series' finite points
   * @param dropped how many of the first series' samples were NaN or infinite
   * @param warnings warnings Prometheus attached to the response
   */
  record Parsed(Optional<String> status, Optional<String> errorType, Optional<String> error,
      Optional<String> resultType, int seriesCount, List<String> labels, MetricSeries first, int dropped,
      List<String> warnings) {

    boolean isSuccess() {
      return status.filter("success"::equals).isPresent();
    }

    /**
     * Returns the only series, or throws saying why there is not exactly one with data.
     *
     * @param where prefix of each message, naming the server and the query
     * @param window the window asked for, in words
     */
    MetricSeries singleSeries(String where, String window) {
      if (resultType.filter("string"::equals).isPresent()) {
        throw new MetricSourceException(where + ": the query returned a string, not a number; query a metric");
      }
      if (seriesCount > 1) {
        throw new MetricSourceException(where + ": the query returned " + seriesCount + " series ("
            + String.join(", ", labels) + (seriesCount > labels.size() ? ", ..." : "")
            + "); aggregate it into one, e.g. sum(...) or max(...)");
      }
      if (seriesCount == 0) {
        throw new MetricSourceException(where + ": no data in " + window
            + "; check the metric name and labels, or widen query_window" + warningsText());
      }
      if (first.isEmpty() && dropped == 0) {
        // The series had no float sample at all: Prometheus answered with native histogram samples.
        throw new MetricSourceException(where + ": the series in " + window + " holds native histograms, not"
            + " numbers; query a number from them, e.g. histogram_quantile(0.9, ...) or histogram_count(...)");
      }
      if (first.isEmpty()) {
        throw new MetricSourceException(where + ": all " + dropped + " samples in " + window
            + " were NaN or infinite; guard the expression, e.g. against division by zero" + warningsText());
      }
      return first;
    }

    private String warningsText() {
      return warnings.isEmpty() ? "" : " (Prometheus warned: " + String.join("; ", warnings) + ")";
    }
  }

  /**
   * Parses a response body, keeping only what the source needs.
   *
   * @param expectedPoints room to make for the first series' points
   * @throws IOException if the body is not well-formed JSON of the expected shape
   * @throws IllegalArgumentException if the first series' timestamps go back in time
   */
  static Parsed parse(InputStream in, int expectedPoints) throws IOException {
    try (JsonParser p = JSON.createParser(in)) {
      Reader reader = new Reader(p, expectedPoints);
      reader.response();
      return reader.result();
    }
  }

  /** One pass over one response; holds the state the record is built from. */
  private static final class Reader {
    private final JsonParser p;
    private final MetricSeries.Builder points;
    private final List<String> labels = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private String status;
    private String errorType;
    private String error;
    private String resultType;
    private int seriesCount;
    private int dropped;
    // A scalar or string result's pair read before data.resultType said which it is.
    private long pendingMillis;
    private String pendingValue;

    Reader(JsonParser p, int expectedPoints) {
      this.p = p;
      this.points = MetricSeries.builder(expectedPoints);
    }

    Parsed result() {
      return new Parsed(Optional.ofNullable(status), Optional.ofNullable(errorType), Optional.ofNullable(error),
          Optional.ofNullable(resultType), seriesCount, List.copyOf(labels), points.build(), dropped,
          List.copyOf(warnings));
    }

    void response() throws IOException {
      expect(p.nextToken(), JsonToken.START_OBJECT, "the response");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "status" -> status = text(value);
          case "errorType" -> errorType = text(value);
          case "error" -> error = text(value);
          case "warnings" -> strings(value, warnings);
          case "data" -> data(value);
          default -> p.skipChildren();
        }
      }
    }

    private void data(JsonToken token) throws IOException {
      if (token != JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("resultType")) {
          resultType = p.getValueAsString();
        } else if (name.equals("result")) {
          result(value);
        } else {
          p.skipChildren();
        }
      }
      if (pendingValue != null && !"string".equals(resultType)) {
        char[] c = pendingValue.toCharArray();
        add(pendingMillis, value(c, 0, c.length));
      }
    }

    /** A result is an array of series (matrix, vector) or one [time, value] pair (scalar, string). */
    private void result(JsonToken token) throws IOException {
      if (token == JsonToken.VALUE_NULL) {
        return;
      }
      expect(token, JsonToken.START_ARRAY, "data.result");
      JsonToken next = p.nextToken();
      if (next == JsonToken.START_OBJECT) {
        while (next == JsonToken.START_OBJECT) {
          series();
          next = p.nextToken();
        }
        expect(next, JsonToken.END_ARRAY, "the end of data.result");
      } else if (next != JsonToken.END_ARRAY) {
        seriesCount = 1;
        pairBody(next, true);
      }
    }

    private void series() throws IOException {
      int index = seriesCount++;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("metric") && index < LABELS_SHOWN) {
          labels.add(selector(value));
        } else if (name.equals("values") && index == 0) {
          expect(value, JsonToken.START_ARRAY, "values");
          while (p.nextToken() == JsonToken.START_ARRAY) {
            pairBody(p.nextToken(), false);
          }
        } else if (name.equals("value") && index == 0) {
          expect(value, JsonToken.START_ARRAY, "value");
          pairBody(p.nextToken(), false);
        } else {
          // Other series are only counted, and native histograms have no single value to scale on.
          p.skipChildren();
        }
      }
    }

    /** Reads {@code time, "value"]} with the opening bracket already consumed. */
    private void pairBody(JsonToken timeToken, boolean scalar) throws IOException {
      if (timeToken != JsonToken.VALUE_NUMBER_INT && timeToken != JsonToken.VALUE_NUMBER_FLOAT) {
        throw new IOException("expected a sample's time but found " + timeToken + " at " + location());
      }
      long millis = millis();
      expect(p.nextToken(), JsonToken.VALUE_STRING, "a sample's value");
      if (scalar && resultType == null) {
        // JSON keys come in any order (jq -S puts result first); only the type tells a string from a number.
        pendingMillis = millis;
        pendingValue = p.getText();
      } else if (!(scalar && "string".equals(resultType))) {
        add(millis, value(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()));
      }
      expect(p.nextToken(), JsonToken.END_ARRAY, "the end of a sample");
    }

    /** Prometheus writes times as seconds with up to three decimals; read them exactly as millis. */
    private long millis() throws IOException {
      char[] c = p.getTextCharacters();
      int off = p.getTextOffset();
      int end = off + p.getTextLength();
      int i = off;
      boolean negative = i < end && c[i] == '-';
      if (negative) {
        i++;
      }
      long seconds = 0;
      while (i < end && c[i] >= '0' && c[i] <= '9') {
        seconds = seconds * 10 + (c[i++] - '0');
      }
      long fraction = 0;
      int digits = 0;
      if (i < end && c[i] == '.') {
        i++;
        while (i < end && c[i] >= '0' && c[i] <= '9' && digits < 3) {
          fraction = fraction * 10 + (c[i++] - '0');
          digits++;
        }
        while (i < end && c[i] >= '0' && c[i] <= '9') {
          i++;
        }
      }
      if (i != end || seconds > Long.MAX_VALUE / 1000 - 1) {
        // Exponents or absurd values: not what Prometheus writes, but still a number.
        return Math.round(p.getDoubleValue() * 1000);
      }
      for (; digits < 3; digits++) {
        fraction *= 10;
      }
      long ms = seconds * 1000 + fraction;
      return negative ? -ms : ms;
    }

    private void add(long millis, double v) {
      if (Double.isFinite(v)) {
        points.add(millis, v);
      } else {
        dropped++;
      }
    }

    /** Reads a sample value; Prometheus quotes them and spells infinity {@code +Inf}. */
    private double value(char[] c, int off, int len) throws IOException {
      if (len == 0) {
        throw new IOException("empty sample value at " + location());
      }
      char first = c[off];
      char second = len > 1 ? c[off + 1] : ' ';
      if (first == 'N' || (first == '+' || first == '-') && second == 'I' || first == 'I') {
        return Double.NaN; // NaN, +Inf, -Inf and Inf are all dropped alike
      }
      try {
        return NumberInput.parseDouble(c, off, len, true);
      } catch (NumberFormatException e) {
        throw new IOException("sample value '" + new String(c, off, len) + "' is not a number at " + location(), e);
      }
    }

    private String selector(JsonToken token) throws IOException {
      if (token != JsonToken.START_OBJECT) {
        p.skipChildren();
        return "{}";
      }
      StringBuilder name = new StringBuilder();
      StringBuilder rest = new StringBuilder();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String label = p.currentName();
        p.nextToken();
        String value = p.getValueAsString();
        if (label.equals("__name__")) {
          name.append(value);
        } else {
          rest.append(rest.length() == 0 ? "" : ", ").append(label).append("=\"").append(value).append('"');
        }
      }
      return name + "{" + rest + "}";
    }

    /**
     * Returns a scalar field's text; a nested value (a proxy's {@code "error": {...}}) is skipped whole,
     * so its fields are not read as the response's own.
     */
    private String text(JsonToken token) throws IOException {
      if (token.isStructStart()) {
        p.skipChildren();
        return null;
      }
      return p.getValueAsString();
    }

    private void strings(JsonToken token, List<String> into) throws IOException {
      if (token != JsonToken.START_ARRAY) {
        p.skipChildren();
        return;
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        // Only text is a warning; a null or a nested value from some proxy is passed over, not a crash.
        if (t == JsonToken.VALUE_STRING) {
          into.add(p.getText());
        } else {
          p.skipChildren();
        }
      }
    }

    private void expect(JsonToken actual, JsonToken wanted, String what) throws IOException {
      if (actual != wanted) {
        throw new IOException("expected " + wanted + " for " + what + " but found " + actual + " at " + location());
      }
    }

    private String location() {
      return "line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr();
    }
  }
}
