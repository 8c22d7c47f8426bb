package org.securecmd.daemon.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTest {
  @Test
  void roundTripKeepsOrderAndTypes() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", true);
    m.put("n", 42L);
    m.put("x", 1.5);
    m.put("none", null);
    m.put("s", "quote \" backslash \\ newline \n tab \t bell \u0007 é");
    m.put("list", List.of("a", 1L, List.of(), Map.of()));
    String line = Json.write(m);
    assertEquals(-1, line.indexOf('\n'), "one line");
    assertEquals(m, Json.parse(line));
    assertEquals("{\"ok\":true,\"n\":42,\"x\":1.5,\"none\":null,\"s\":\"quote \\\" backslash \\\\ newline \\n tab \\t"
        + " bell \\u0007 é\",\"list\":[\"a\",1,[],{}]}", line);
  }

  @Test
  void parsesWhitespaceAndEscapes() {
    assertEquals(Map.of("a", List.of(1L, -2L, 3.0e2), "b", "\u00e9/"), Json.parse(" { \"a\" : [1, -2, 3e2],\n\"b\":\"\\u00e9\\/\" } "));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{                | malformed JSON at offset 1: expected a string key",
      "{\"a\" 1}        | malformed JSON at offset 5: expected ':'",
      "[1,2             | malformed JSON at offset 4: expected ']'",
      "\"abc            | malformed JSON at offset 4: expected a closing quote",
      "tru              | malformed JSON at offset 0: expected true",
      "{} x             | malformed JSON at offset 3: expected end of input",
      "''               | malformed JSON at offset 0: expected a value",
  })
  void malformedInputNamesOffset(String text, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Json.parse(text)).getMessage());
  }
}
