package org.securecmd.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TpmSpecTest {
  private static final String EXPECTED = "; expected device:/dev/tpmrm0 (the default) or swtpm:host=HOST,port=PORT";

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "device:/dev/tpmrm0                  | device:/dev/tpmrm0",
      "device:/dev/tpm0                    | device:/dev/tpm0",
      "device                              | device:/dev/tpmrm0",
      "device:                             | device:/dev/tpmrm0",
      "swtpm:host=127.0.0.1,port=2321      | swtpm:host=127.0.0.1,port=2321",
      "swtpm:port=40000,host=::1           | swtpm:host=::1,port=40000",
      "swtpm:port=40000                    | swtpm:host=localhost,port=40000",
      "swtpm:host=tpm.example              | swtpm:host=tpm.example,port=2321",
      "swtpm                               | swtpm:host=localhost,port=2321",
      "swtpm:                              | swtpm:host=localhost,port=2321",
  })
  void parsesSupportedSpecs(String spec, String parsed) {
    assertEquals(parsed, TpmSpec.parse(spec).toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                               | TPM \"\": empty",
      "'  '                             | TPM \"  \": empty",
      "tabrmd:bus_type=session          | TPM \"tabrmd:bus_type=session\": unsupported TCTI \"tabrmd\"",
      "mssim:host=h,port=1              | TPM \"mssim:host=h,port=1\": unsupported TCTI \"mssim\"",
      "/dev/tpmrm0                      | TPM \"/dev/tpmrm0\": unsupported TCTI \"/dev/tpmrm0\"",
      "device:dev/tpmrm0                | TPM \"device:dev/tpmrm0\": the device path must be absolute, e.g. device:/dev/tpmrm0",
      "swtpm:host=h,port=x              | TPM \"swtpm:host=h,port=x\": port \"x\" is not a number",
      "swtpm:host=h,port=0              | TPM \"swtpm:host=h,port=0\": port 0 is out of range 1-65535",
      "swtpm:host=h,port=65536          | TPM \"swtpm:host=h,port=65536\": port 65536 is out of range 1-65535",
      "swtpm:host=h,host=i              | TPM \"swtpm:host=h,host=i\": \"host\" given twice",
      "swtpm:host=h,path=/x             | TPM \"swtpm:host=h,path=/x\": unknown swtpm option \"path\": expected host and port",
      "swtpm:host                       | TPM \"swtpm:host\": \"host\" is not key=value",
      "swtpm:host=                      | TPM \"swtpm:host=\": \"host=\" is not key=value",
      "swtpm:host=h,                    | TPM \"swtpm:host=h,\": \"\" is not key=value",
      "swtpm:=h                         | TPM \"swtpm:=h\": \"=h\" is not key=value",
  })
  void refusesOtherSpecsNamingWhatIsWrongAndWhatIsAllowed(String spec, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TpmSpec.parse(spec));
    assertEquals(message + EXPECTED, e.getMessage());
  }

  @Test
  void nullSpecIsRefused() {
    assertEquals("TPM \"null\": empty" + EXPECTED,
        assertThrows(IllegalArgumentException.class, () -> TpmSpec.parse(null)).getMessage());
  }

  @Test
  void defaultIsTheKernelResourceManager() {
    assertEquals(new TpmSpec.Device(Path.of("/dev/tpmrm0")), TpmSpec.parse(TpmSpec.DEFAULT));
  }

  @Test
  void missingDeviceNamesItsPath() {
    TpmException e = assertThrows(TpmException.class, () -> Tpm.open(TpmSpec.parse("device:/nonexistent/tpmrm9")));
    assertEquals("open TPM failed: device:/nonexistent/tpmrm9: no such device (no TPM, or its driver is not loaded)",
        e.getMessage());
  }

  @Test
  void swtpmThatIsNotListeningNamesHostAndPort() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    TpmException e = assertThrows(TpmException.class, () -> Tpm.open(TpmSpec.parse("swtpm:host=127.0.0.1,port=" + port)));
    assertTrue(e.getMessage().startsWith("open TPM failed: swtpm:host=127.0.0.1,port=" + port + ": "), e.getMessage());
  }
}
