package dev.capstan.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Writer;

/** Writes the HTTP API's JSON documents, which are built from plain maps, lists and values. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper COMPACT = new ObjectMapper();

  private Json() {}

  /** Returns {@code value} as indented JSON. */
  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a document of maps, lists and plain values always serialises", e);
    }
  }

  /**
   * Opens a generator on {@code out}, for a document written part by part: indented like
   * {@link #write(Object)}, or compact for one too big to read indented (a backtest's every decision,
   * 43,200 per run-month); {@link #write(JsonGenerator, Object)} writes a part of plain values.
   */
  static JsonGenerator generator(Writer out, boolean indent) throws IOException {
    JsonGenerator json = COMPACT.createGenerator(out);
    return indent ? json.useDefaultPrettyPrinter() : json;
  }

  /** Writes {@code value} (maps, lists and plain values) at the generator's position. */
  static void write(JsonGenerator generator, Object value) throws IOException {
    COMPACT.writeValue(generator, value);
  }
}
