package org.securecmd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {
  private static final String FORM = "expected an IP address with an optional /prefix, e.g. \"10.0.0.10/32\" or \"fd00::/64\"";

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      10.0.0.10/32      | 10.0.0.10/32
      10.0.0.10         | 10.0.0.10/32
      10.0.0.0/8        | 10.0.0.0/8
      0.0.0.0/0         | 0.0.0.0/0
      192.168.4.0/23    | 192.168.4.0/23
      ::1               | ::1/128
      ::1/128           | ::1/128
      [::1]/128         | ::1/128
      fd00::/64         | fd00::/64
      2001:db8:0:0:1::/80 | 2001:db8:0:0:1::/80
      2001:db8::/32     | 2001:db8::/32
      ::/0              | ::/0
      """)
  void parsesAndShowsTheShortForm(String text, String shown) {
    assertEquals(shown, Cidr.parse(text).toString());
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""                 | FORM
      localhost          | FORM
      haproxy.example    | FORM
      10.1               | FORM
      10.0.0.256         | FORM
      10.0.0.1.2         | FORM
      "10.0.0.1 "        | FORM
      10.0.0.0/          | the prefix must be 0..32 for an IPv4 address
      10.0.0.0/-1        | the prefix must be 0..32 for an IPv4 address
      10.0.0.0/33        | the prefix must be 0..32 for an IPv4 address
      10.0.0.0/ 8        | the prefix must be 0..32 for an IPv4 address
      10.0.0.0/8/8       | the prefix must be 0..32 for an IPv4 address
      ::1/129            | the prefix must be 0..128 for an IPv6 address
      ::1/1000           | the prefix must be 0..128 for an IPv6 address
      10.0.0.1/8         | has bits set after the /8 prefix; did you mean "10.0.0.0/8"?
      192.168.5.0/23     | has bits set after the /23 prefix; did you mean "192.168.4.0/23"?
      fd00::1/64         | has bits set after the /64 prefix; did you mean "fd00::/64"?
      """)
  void refusesWithWhatTheFormIs(String text, String message) {
    String expected = message.equals("FORM") ? FORM : message;
    assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text)).getMessage());
  }

  @ParameterizedTest(name = "[{index}] {0} in {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      10.0.0.10     | 10.0.0.10/32   | true
      10.0.0.11     | 10.0.0.10/32   | false
      10.0.0.200    | 10.0.0.0/24    | true
      10.0.1.1      | 10.0.0.0/24    | false
      192.168.5.255 | 192.168.4.0/23 | true
      192.168.6.0   | 192.168.4.0/23 | false
      8.8.8.8       | 0.0.0.0/0      | true
      ::1           | 0.0.0.0/0      | false
      127.0.0.1     | ::/0           | false
      fd00::abcd    | fd00::/64      | true
      fd00:0:0:1::1 | fd00::/64      | false
      ::1           | ::1            | true
      """)
  void containsOnlyItsOwnFamilyAndBlock(String address, String cidr, boolean inside) throws Exception {
    assertEquals(inside, Cidr.parse(cidr).contains(InetAddress.ofLiteral(address)));
  }
}
