package dev.pitstop.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of one run-record entry as parsed JSON. A field of the wrong type, or a required one
 * that is missing, throws, so a record a human mangled is reported rather than guessed at.
 */
final class RecordFields {
  private final Map<?, ?> object;

  private RecordFields(Map<?, ?> object) {
    this.object = object;
  }

  static RecordFields of(Object tree) {
    if (tree instanceof Map<?, ?> map) {
      return new RecordFields(map);
    }
    throw new IllegalArgumentException("an entry is not a JSON object");
  }

  /** The entries of a JSON array of objects. */
  static List<RecordFields> list(Object tree) {
    if (!(tree instanceof List<?> items)) {
      throw new IllegalArgumentException("not a JSON array");
    }
    List<RecordFields> entries = new ArrayList<>();
    items.forEach(item -> entries.add(of(item)));
    return entries;
  }

  boolean has(String name) {
    return object.containsKey(name);
  }

  Object raw(String name) {
    return object.get(name);
  }

  String string(String name) {
    return typed(name, String.class);
  }

  String requiredString(String name) {
    return required(name, string(name));
  }

  Integer integer(String name) {
    return typed(name, Integer.class);
  }

  int requiredInt(String name) {
    return required(name, integer(name));
  }

  Boolean bool(String name) {
    return typed(name, Boolean.class);
  }

  boolean requiredBool(String name) {
    return required(name, bool(name));
  }

  /** A JSON object of strings, in document order; empty when absent or null. */
  Map<String, String> strings(String name) {
    Map<String, String> values = new LinkedHashMap<>();
    Object value = object.get(name);
    if (value == null) {
      return values;
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(name + " is not a JSON object");
    }
    map.forEach((key, text) -> values.put((String) key, typed(name, text, String.class)));
    return values;
  }

  /** A JSON array of strings; empty when absent or null. */
  List<String> stringList(String name) {
    Object value = object.get(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> items)) {
      throw new IllegalArgumentException(name + " is not a JSON array");
    }
    return items.stream().map(item -> typed(name, item, String.class)).toList();
  }

  private <T> T typed(String name, Class<T> type) {
    return typed(name, object.get(name), type);
  }

  private static <T> T typed(String name, Object value, Class<T> type) {
    if (value == null || type.isInstance(value)) {
      return type.cast(value);
    }
    String expected =
        type == Integer.class ? "an integer" : type == Boolean.class ? "true or false" : "a string";
    throw new IllegalArgumentException(name + " is not " + expected);
  }

  private static <T> T required(String name, T value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is missing");
    }
    return value;
  }
}
