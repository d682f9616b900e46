package dev.capstan.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

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

  /** Returns {@code value} as JSON on one line, without a line break at the end (a JSON log line). */
  static String compact(Object value) {
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a document of maps, lists and plain values always serialises", e);
    }
  }
}
