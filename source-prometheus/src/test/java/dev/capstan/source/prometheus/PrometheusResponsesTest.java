package dev.capstan.source.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.MetricSeries;
import dev.capstan.spi.MetricSourceException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class PrometheusResponsesTest {

  private static MetricSeries parse(String json) {
    return PrometheusResponses.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "q");
  }

  @Test
  void parse_scalar_givesOnePoint() {
    assertThat(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1795608000.5,\"0.125\"]}}"))
        .isEqualTo(MetricSeries.of(1795608000500L, 0.125));
  }

  @Test
  void parse_fieldsInAnyOrderAndUnknownFields_areTolerated() {
    assertThat(parse("""
        {"data":{"result":[{"values":[[10,"1"],[11.001,"2"]],"metric":{"a":"b"}}],"resultType":"matrix","stats":{"x":1}},
         "infos":["i"],"status":"success"}"""))
        .isEqualTo(MetricSeries.of(new long[] {10_000, 11_001}, new double[] {1, 2}));
  }

  @Test
  void parse_stringResult_isRejected() {
    assertThatThrownBy(() -> parse("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"hi\"]}}"))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("query 'q': the query returned a string, not a number");
  }

  @Test
  void parse_warningsWithNullOrObjects_areNotAParserCrash() {
    assertThat(parse("{\"status\":\"success\",\"warnings\":[null,{\"w\":1},\"real\"],"
        + "\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"2\"]}}"))
        .isEqualTo(MetricSeries.of(1000L, 2));
  }

  @Test
  void parse_errorAsObjectBeforeStatus_keepsStatusAndType() {
    assertThatThrownBy(() -> parse("{\"error\":{\"message\":\"m\"},\"errorType\":\"bad_data\",\"status\":\"error\"}"))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("Prometheus reported bad_data");
  }

  @Test
  void parse_nativeHistogramOnly_saysSoInsteadOfNaN() {
    assertThatThrownBy(() -> parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"histogram\":[1,{\"count\":\"3\",\"sum\":\"1\"}]}]}}"))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageNotContaining("NaN")
        .hasMessageContaining("native histograms");
  }

  @Test
  void parse_stringResultBeforeItsType_isRejectedAsAString() {
    // Key order is free in JSON; e.g. `jq -S` writes "result" before "resultType".
    assertThatThrownBy(() -> parse("{\"data\":{\"result\":[1,\"hi\"],\"resultType\":\"string\"},\"status\":\"success\"}"))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("query 'q': the query returned a string, not a number");
  }

  @Test
  void parse_scalarResultBeforeItsType_givesThePoint() {
    assertThat(parse("{\"data\":{\"result\":[2.5,\"7\"],\"resultType\":\"scalar\"},\"status\":\"success\"}"))
        .isEqualTo(MetricSeries.of(2500L, 7));
  }

  @Test
  void parse_errorStatus_givesPrometheusMessage() {
    assertThatThrownBy(() -> parse("{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"many-to-many matching\"}"))
        .isInstanceOf(MetricSourceException.class)
        .hasMessage("Prometheus response, query 'q': Prometheus reported execution: many-to-many matching");
  }

  @Test
  void parse_truncatedBody_isRejectedWithLocation() {
    assertThatThrownBy(() -> parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"values\":[[1,"))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("not a Prometheus API response");
  }

  @Test
  void parse_valueNotANumber_isRejected() {
    assertThatThrownBy(() -> parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"value\":[1,\"abc\"]}]}}"))
        .isInstanceOf(MetricSourceException.class)
        .hasMessageContaining("sample value 'abc' is not a number");
  }
}
