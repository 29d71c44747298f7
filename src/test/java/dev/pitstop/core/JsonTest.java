package dev.pitstop.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming JSON of run records and results, checked against Jackson's own mapper. */
class JsonTest {
  private enum State {
    SUCCEEDED
  }

  @Test
  void writesResultTreesAsTheMapperDoes() throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("step", "migrate");
    row.put("exit-code", 0);
    row.put("duration-ms", 12_345_678_901L);
    row.put("passed", true);
    row.put("version", null);
    row.put("text", "quote \" backslash \\ newline \n tab \t é ✓ \u0001");
    row.put("pending", List.of(Map.of("version", "2"), List.of()));
    row.put("replicas", new LinkedHashMap<>(Map.of("deployment/web", 3)));
    row.put("ratio", 0.5);

    assertThat(Json.write(row)).isEqualTo(Json.mapper().writeValueAsString(row));
  }

  @Test
  void writesEnumsByNameAndTreesAsTheyAre() throws Exception {
    JsonNode tree = Json.mapper().readTree("{\"a\":[1,2.5,\"x\",null,true,{\"b\":{}}]}");

    assertThat(Json.write(List.of(State.SUCCEEDED, tree)))
        .isEqualTo("[\"SUCCEEDED\",{\"a\":[1,2.5,\"x\",null,true,{\"b\":{}}]}]");
  }

  @Test
  @SuppressWarnings("unchecked")
  void readsObjectsInOrderAndNumbersInTheSmallestType() {
    Object tree =
        Json.read("{\"z\":1,\"a\":[3000000000,123456789012345678901234567890,1.5],\"n\":null}");

    assertThat(tree).isInstanceOf(LinkedHashMap.class);
    Map<String, Object> object = (Map<String, Object>) tree;
    assertThat(new ArrayList<>(object.keySet())).containsExactly("z", "a", "n");
    assertThat(object.get("z")).isEqualTo(1);
    assertThat((List<Object>) object.get("a"))
        .containsExactly(3_000_000_000L, new BigInteger("123456789012345678901234567890"), 1.5);
    assertThat(object.containsKey("n")).isTrue();
    assertThat(object.get("n")).isNull();
  }

  @Test
  void aReadTreeBecomesTheNodeTheMapperWouldRead() throws Exception {
    String text = "{\"a\":[1,3000000000,\"x\",null,false,{\"b\":{}}],\"c\":null}";

    assertThat(Json.toNode(Json.read(text))).isEqualTo(Json.mapper().readTree(text));
    assertThat(Json.toNode(null).isNull()).isTrue();
  }

  @Test
  void refusesWhatIsNotExactlyOneJsonValue() {
    for (String text : Arrays.asList("", "{\"a\":", "{} {}", "[1,]", "nope")) {
      assertThatThrownBy(() -> Json.read(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageMatching("(not JSON: .*|no JSON value|more than one JSON value)");
    }
  }
}
