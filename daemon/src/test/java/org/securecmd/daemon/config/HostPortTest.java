package org.securecmd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 5952 text for every address a person reads; one row per shape. */
class HostPortTest {
  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', textBlock = """
      ::1                                     | [::1]:44824
      0:0:0:0:0:0:0:1                         | [::1]:44824
      ::                                      | [::]:44824
      2001:db8::1                             | [2001:db8::1]:44824
      2001:0DB8:0000:0000:0000:0000:0000:0001 | [2001:db8::1]:44824
      2001:db8:0:0:1:0:0:1                    | [2001:db8::1:0:0:1]:44824
      2001:db8:0:1:1:1:1:1                    | [2001:db8:0:1:1:1:1:1]:44824
      2001:0:0:1:0:0:0:1                      | [2001:0:0:1::1]:44824
      fe80::1:0:0                             | [fe80::1:0:0]:44824
      1:0:0:0:0:0:0:0                         | [1::]:44824
      2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff  | [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:44824
      192.0.2.1                               | 192.0.2.1:44824
      127.0.0.1                               | 127.0.0.1:44824
      ::ffff:192.0.2.1                        | 192.0.2.1:44824
      """)
  void literalsAreShownInTheirShortForm(String literal, String shown) {
    assertEquals(shown, HostPort.of(InetAddress.ofLiteral(literal), 44824));
    assertEquals(shown, HostPort.of(new InetSocketAddress(InetAddress.ofLiteral(literal), 44824)));
    assertEquals(shown, HostPort.of(literal, 44824), "as configured");
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', textBlock = """
      00000000000000000000ffffc0000201 | ::ffff:192.0.2.1
      00000000000000000000ffff7f000001 | ::ffff:127.0.0.1
      000000000000000000000000c0000201 | ::c000:201
      """)
  void anIpv6AddressTheJdkKeptAsIpv6KeepsItsMappedTail(String hex, String shown) throws UnknownHostException {
    // The JDK turns ::ffff:a.b.c.d into an Inet4Address when it parses one; built from bytes it stays IPv6.
    Inet6Address a = Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex), -1);
    assertEquals(shown, HostPort.host(a));
    assertEquals("[" + shown + "]:5000", HostPort.of(a, 5000));
  }

  @ParameterizedTest(name = "scope {1}")
  @CsvSource(delimiter = '|', textBlock = """
      fe800000000000000000000000000001  | 3 | [fe80::1%3]:22
      20010db8000000000000000000000001  | 7 | [2001:db8::1%7]:22
      """)
  void aZoneIsKeptInsideTheBrackets(String hex, int scope, String shown) throws UnknownHostException {
    Inet6Address a = Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex), scope);
    assertEquals(shown, HostPort.of(a, 22));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      localhost          | localhost:5000
      device.example.org | device.example.org:5000
      not:a:literal:x    | [not:a:literal:x]:5000
      """)
  void namesAreShownAsWritten(String host, String shown) {
    assertEquals(shown, HostPort.of(host, 5000));
    if (!host.contains(":")) assertEquals(shown, HostPort.of(InetSocketAddress.createUnresolved(host, 5000)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      [::1]:5000               | [::1]:5000
      [0:0:0:0:0:0:0:1]:5000   | [::1]:5000
      0.0.0.0:5000             | 0.0.0.0:5000
      [2001:DB8:0:0::1]:5000   | [2001:db8::1]:5000
      """)
  void aListenAddressIsShownInTheSameForm(String configured, String shown) {
    assertEquals(shown, ListenAddress.parse(configured).toString());
  }
}
