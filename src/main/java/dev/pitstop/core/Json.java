package dev.pitstop.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the run record and step results, and the mapper for the steps that work on JSON trees.
 *
 * <p>The run record and the results are plain trees ({@link Map}, {@link List}, strings, numbers,
 * booleans, null), read and written with Jackson's streaming parser and generator. Building an
 * {@link ObjectMapper} loads and initialises several hundred classes (0.1 s of a step's start-up);
 * a step that only reads the record, scales workloads and writes its results needs none of them.
 * The mapper is built on first use by the steps that convert Kubernetes objects to trees (Ingress
 * and HTTPRoute maintenance targets, smoke-test bodies checked with a JSON pointer).
 */
public final class Json {
  private Json() {}

  private static final JsonFactory FACTORY = new JsonFactory();

  private static final class Holder {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** The shared mapper, built on first use; safe to use from several threads. */
  public static ObjectMapper mapper() {
    return Holder.MAPPER;
  }

  /**
   * Compact JSON of a tree. Maps are written in their iteration order; a {@link JsonNode} is
   * written as it is; an enum by its name; any other object by its {@code toString()}.
   */
  public static String write(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    return out.toString();
  }

  /**
   * Reads one JSON value: objects as {@link LinkedHashMap} (in document order), arrays as {@link
   * ArrayList}, integers as Integer, Long or BigInteger (the smallest that holds them), other
   * numbers as Double.
   *
   * @throws IllegalArgumentException when the text is not exactly one JSON value
   */
  public static Object read(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        throw new IllegalArgumentException("no JSON value");
      }
      Object value = read(parser);
      if (parser.nextToken() != null) {
        throw new IllegalArgumentException("more than one JSON value");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }

  /** A tree as read by {@link #read} as a {@link JsonNode}; null becomes a null node. */
  public static JsonNode toNode(Object tree) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (tree == null) {
      return nodes.nullNode();
    }
    if (tree instanceof Map<?, ?> map) {
      ObjectNode object = nodes.objectNode();
      map.forEach((key, value) -> object.set(String.valueOf(key), toNode(value)));
      return object;
    }
    if (tree instanceof List<?> list) {
      ArrayNode array = nodes.arrayNode();
      list.forEach(value -> array.add(toNode(value)));
      return array;
    }
    if (tree instanceof String text) {
      return nodes.textNode(text);
    }
    if (tree instanceof Boolean flag) {
      return nodes.booleanNode(flag);
    }
    if (tree instanceof Integer number) {
      return nodes.numberNode(number);
    }
    if (tree instanceof Long number) {
      return nodes.numberNode(number);
    }
    if (tree instanceof BigInteger number) {
      return nodes.numberNode(number);
    }
    if (tree instanceof Double number) {
      return nodes.numberNode(number);
    }
    throw new IllegalArgumentException("not a JSON tree: " + tree.getClass().getSimpleName());
  }

  private static Object read(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.put(name, read(parser));
        }
        return object;
      }
      case START_ARRAY -> {
        List<Object> array = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(read(parser));
        }
        return array;
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_NUMBER_INT -> {
        return parser.getNumberValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return parser.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected " + parser.currentToken());
    }
  }

  private static void write(JsonGenerator out, Object value) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof Map<?, ?> map) {
      out.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.writeFieldName(String.valueOf(entry.getKey()));
        write(out, entry.getValue());
      }
      out.writeEndObject();
    } else if (value instanceof JsonNode node) {
      // before Iterable: a JsonNode is one, over its values
      writeNode(out, node);
    } else if (value instanceof Iterable<?> items) {
      out.writeStartArray();
      for (Object item : items) {
        write(out, item);
      }
      out.writeEndArray();
    } else if (value instanceof Boolean flag) {
      out.writeBoolean(flag);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      out.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger number) {
      out.writeNumber(number);
    } else if (value instanceof BigDecimal number) {
      out.writeNumber(number);
    } else if (value instanceof Number number) {
      out.writeNumber(number.doubleValue());
    } else if (value instanceof Enum<?> constant) {
      out.writeString(constant.name());
    } else {
      out.writeString(value.toString());
    }
  }

  private static void writeNode(JsonGenerator out, JsonNode node) throws IOException {
    if (node.isObject()) {
      out.writeStartObject();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        out.writeFieldName(field.getKey());
        writeNode(out, field.getValue());
      }
      out.writeEndObject();
    } else if (node.isArray()) {
      out.writeStartArray();
      for (JsonNode item : node) {
        writeNode(out, item);
      }
      out.writeEndArray();
    } else if (node.isTextual()) {
      out.writeString(node.textValue());
    } else if (node.isBoolean()) {
      out.writeBoolean(node.booleanValue());
    } else if (node.isIntegralNumber()) {
      out.writeNumber(node.bigIntegerValue());
    } else if (node.isNumber()) {
      out.writeNumber(node.decimalValue());
    } else {
      out.writeNull();
    }
  }
}
