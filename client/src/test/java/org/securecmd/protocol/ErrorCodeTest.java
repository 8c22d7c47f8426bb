package org.securecmd.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorCodeTest {
  @ParameterizedTest(name = "[{index}] {0}")
  @EnumSource(ErrorCode.class)
  void byNameFindsEveryCodeByItsExactName(ErrorCode code) {
    assertEquals(code, ErrorCode.byName(code.name()));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "forbidden", "Forbidden", " FORBIDDEN", "FORBIDDEN ", "TEAPOT", "ERR", "OK"})
  void byNameOfAnUnknownOrMiscasedNameIsNull(String name) {
    assertNull(ErrorCode.byName(name));
  }

  @Test
  void byNameOfNullIsNull() {
    assertNull(ErrorCode.byName(null));
  }

  @Test
  void theStableCodesAreExactlyTheDocumentedOnesInOrder() {
    assertEquals("[UNKNOWN_COMMAND, FORBIDDEN, BAD_REQUEST, LINE_TOO_LONG, BUSY, UNAVAILABLE, INTERNAL, NOT_DUE, BAD_CSR,"
        + " WEAK_KEY, PENDING, BAD_ATTESTATION, ATTESTATION_REQUIRED, STATE_MISMATCH]",
        Arrays.toString(ErrorCode.values()));
  }
}
