package org.securecmd.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseCodesTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0x902   | out of memory for object contexts (flush transient objects)",
      "0x903   | out of memory for session contexts (flush sessions)",
      "0x922   | the TPM was not able to start the command (retry)",
      "0x1df   | integrity check failed, parameter 1",
      "0x9f    | integrity check failed",
      "0x18b   | the handle is not correct for the use (not loaded?), handle 1",
      "0x28b   | the handle is not correct for the use (not loaded?), handle 2",
      "0x98e   | the authorization HMAC check failed and the DA counter incremented, session 1",
      "0x2c4   | value is out of range or is not correct for the context, parameter 2",
      "0xfc4   | value is out of range or is not correct for the context, parameter 15",
      "0x149   | NV access authorization fails in command actions",
      "0x14c   | NV index or persistent object already defined",
      "0x100   | TPM not initialized (TPM2_Startup missing)",
      "0x143   | command code not supported",
      "0x1ff   | format-one error 0xbf, parameter 1",
      "0x17f   | unknown response code",
      "0x97f   | unknown response code",
      "0x501   | vendor-defined error",
      "0x90001 | error from TSS layer 0x9",
  })
  void describesTheCodeAndWhatItPointsAt(String code, String meaning) {
    assertEquals(meaning, ResponseCodes.describe(Integer.decode(code)));
  }

  @ParameterizedTest
  @CsvSource({"0x1df, 0x9f", "0x18b, 0x8b", "0x98e, 0x8e", "0x902, 0x902", "0x14c, 0x14c"})
  void baseCodeDropsTheHandleSessionOrParameterNumber(String code, String base) {
    assertEquals((int) Integer.decode(base), new TpmException("TPM2_X", Integer.decode(code)).baseCode());
  }
}
