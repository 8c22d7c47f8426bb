package org.securecmd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenAddressTest {
  private static final String FORM = "expected HOST:PORT, e.g. \"0.0.0.0:5000\" or \"[::1]:5000\"";
  private static final String BRACKETS = "an IPv6 address needs brackets: \"[::1]:5000\"";
  private static final String NOT_A_NUMBER = "port is not a number";
  private static final String RANGE = "port must be 0..65535";

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      0.0.0.0:5000          | 0.0.0.0           | 5000  | 0.0.0.0:5000
      127.0.0.1:1           | 127.0.0.1         | 1     | 127.0.0.1:1
      localhost:5000        | localhost         | 5000  | localhost:5000
      backend.example:443   | backend.example   | 443   | backend.example:443
      [::1]:5000            | ::1               | 5000  | [::1]:5000
      [::]:5000             | ::                | 5000  | [::]:5000
      [fe80::1%eth0]:5000   | fe80::1%eth0      | 5000  | [fe80::1%eth0]:5000
      [2001:db8::1]:65535   | 2001:db8::1       | 65535 | [2001:db8::1]:65535
      0.0.0.0:0             | 0.0.0.0           | 0     | 0.0.0.0:0
      0.0.0.0:05000         | 0.0.0.0           | 5000  | 0.0.0.0:5000
      """)
  void parsesHostAndPort(String text, String host, int port, String shown) {
    ListenAddress a = ListenAddress.parse(text);
    assertEquals(host, a.host());
    assertEquals(port, a.port());
    assertEquals(shown, a.toString());
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""                   | FORM
      0.0.0.0              | FORM
      localhost            | FORM
      :5000                | FORM
      0.0.0.0:             | FORM
      [::1]                | BRACKETS
      [::1]:               | FORM
      []:5000              | FORM
      "[]:"                | FORM
      ::1:5000             | BRACKETS
      ::1                  | BRACKETS
      2001:db8::1:5000     | BRACKETS
      fe80::1%eth0:5000    | BRACKETS
      0.0.0.0:http         | NOT_A_NUMBER
      0.0.0.0:50 00        | NOT_A_NUMBER
      "0.0.0.0:5000 "      | NOT_A_NUMBER
      0.0.0.0:5000.0       | NOT_A_NUMBER
      0.0.0.0:99999999999  | NOT_A_NUMBER
      0.0.0.0:65536        | RANGE
      0.0.0.0:100000       | RANGE
      0.0.0.0:-1           | RANGE
      [::1]:70000          | RANGE
      """)
  void refusesBadFormsSayingWhatIsExpected(String text, String which) {
    String expected = switch (which) {
      case "FORM" -> FORM;
      case "BRACKETS" -> BRACKETS;
      case "NOT_A_NUMBER" -> NOT_A_NUMBER;
      default -> RANGE;
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(text));
    assertEquals(expected, e.getMessage());
  }

  @Test
  void constructorRefusesAPortOutOfRange() {
    assertEquals("port out of range: 65536",
        assertThrows(IllegalArgumentException.class, () -> new ListenAddress("h", 65536)).getMessage());
    assertEquals("port out of range: -1",
        assertThrows(IllegalArgumentException.class, () -> new ListenAddress("h", -1)).getMessage());
  }

  @Test
  void toSocketAddressKeepsHostAndPort() {
    InetSocketAddress a = ListenAddress.parse("127.0.0.1:5000").toSocketAddress();
    assertEquals("127.0.0.1", a.getHostString());
    assertEquals(5000, a.getPort());
  }
}
