package dev.pitstop.step;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pitstop.core.Json;
import dev.pitstop.http.HttpProbe.Response;
import java.net.URI;
import java.util.Map;

/**
 * What one URL must answer.
 *
 * @param expectStatus the HTTP status
 * @param expectBody a substring of the body, or null
 * @param jsonPointer a JSON pointer into the body such as {@code /status}, or null
 * @param jsonValue the text the pointed-at value must have
 * @param headers request headers; their values may be secrets and are never printed
 */
public record SmokeCheck(
    URI url,
    int expectStatus,
    String expectBody,
    String jsonPointer,
    String jsonValue,
    Map<String, String> headers) {
  private static final int EXCERPT = 200;

  /** Null when the response passes, otherwise why not, with a short excerpt of the body. */
  public String problem(Response response) {
    if (response.error() != null) {
      return "no response (" + response.error() + ")";
    }
    if (response.status() != expectStatus) {
      return "status "
          + response.status()
          + ", expected "
          + expectStatus
          + excerpt(response.body());
    }
    if (expectBody != null && !response.body().contains(expectBody)) {
      return "body does not contain '" + expectBody + "'" + excerpt(response.body());
    }
    if (jsonPointer != null) {
      try {
        JsonNode value =
            Json.mapper().readTree(response.body()).at(JsonPointer.compile(jsonPointer));
        if (value.isMissingNode()) {
          return "JSON has no " + jsonPointer + excerpt(response.body());
        }
        String actual = value.isValueNode() ? value.asText() : value.toString();
        if (!actual.equals(jsonValue)) {
          return "JSON " + jsonPointer + " is '" + actual + "', expected '" + jsonValue + "'";
        }
      } catch (Exception e) {
        return "body is not JSON" + excerpt(response.body());
      }
    }
    return null;
  }

  private static String excerpt(String body) {
    if (body == null || body.isEmpty()) {
      return "";
    }
    String flat = body.replaceAll("\\s+", " ").strip();
    return "; body: " + (flat.length() > EXCERPT ? flat.substring(0, EXCERPT) + "..." : flat);
  }
}
