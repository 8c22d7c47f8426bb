package org.securecmd.daemon.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The enrollment verbs' field rules: standard base64 with padding, single spaces, an exact count. */
class FieldsTest {
  @Test
  void exactlyTheCountOfPaddedBase64FieldsSeparatedBySingleSpaces() {
    byte[][] f = Fields.decode("AAE= Ag== AwQF", 3).orElseThrow();
    assertArrayEquals(new byte[] {0, 1}, f[0]);
    assertArrayEquals(new byte[] {2}, f[1]);
    assertArrayEquals(new byte[] {3, 4, 5}, f[2]);
    assertEquals("AAE= Ag== AwQF", Fields.encode(f));
  }

  @Test
  void everyOtherShapeIsRefused() {
    for (String bad : List.of("", "AAE= Ag==", "AAE= Ag== AwQF AwQF", "AAE=  Ag== AwQF", " AAE= Ag== AwQF",
        "AAE= Ag== AwQF ", "AAE Ag== AwQF", "AAE= Ag== Aw-F", "AAE= Ag== Aw_F", "AAE=\tAg== AwQF")) {
      assertTrue(Fields.decode(bad, 3).isEmpty(), "refused: \"" + bad + "\"");
    }
  }
}
