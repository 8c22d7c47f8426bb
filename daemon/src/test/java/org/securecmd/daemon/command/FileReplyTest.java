package org.securecmd.daemon.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.config.ReplyEncoding;

class FileReplyTest {
  private static final String NO_REPLY = "ERR UNAVAILABLE no reply for this client";
  private static final String NOT_AVAILABLE = "ERR UNAVAILABLE reply not available";

  @TempDir Path dir;
  Path secrets;

  @BeforeEach
  void makeSecretsDirectory() throws Exception {
    secrets = Files.createDirectory(dir.resolve("secrets"));
  }

  private static Identity cn(String name) {
    return new Identity(name, List.of(), List.of(), "1f");
  }

  private static final AllowList EVERYONE = AllowList.of(List.of("*"), true);

  private String reply(String fileName, ReplyEncoding encoding, Identity who) {
    return reply(fileName, encoding, who, EVERYONE);
  }

  private String reply(String fileName, ReplyEncoding encoding, Identity who, AllowList allow) {
    FileReply handler = new FileReply("GET", secrets.resolve(fileName).toString(), encoding, allow);
    return handler.handle(Calls.by(who)).reply().line();
  }

  private void write(String name, String hexBytes) throws Exception {
    Files.write(secrets.resolve(name), HexFormat.of().parseHex(hexBytes));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # file bytes (hex)                 | reply
      534543524554                       | SECRET
      5345435245540a                     | SECRET
      5345435245540d0a                   | SECRET
      ""                                 | ""
      0a                                 | ""
      5345435245540a0a                   | ERR UNAVAILABLE reply not available
      534543520a4554                     | ERR UNAVAILABLE reply not available
      534543520d4554                     | ERR UNAVAILABLE reply not available
      5345430045540a                     | ERR UNAVAILABLE reply not available
      455252                             | ERR UNAVAILABLE reply not available
      45525220780a                       | ERR UNAVAILABLE reply not available
      4552527820                         | "ERRx "
      c3a9                               | é
      ff0a                               | ERR UNAVAILABLE reply not available
      c3                                 | ERR UNAVAILABLE reply not available
      eda080                             | ERR UNAVAILABLE reply not available
      61202062                           | "a  b"
      """)
  void plainFileIsOneLineOfUtf8WithoutItsTrailingNewline(String hex, String expected) throws Exception {
    write("static", hex);
    assertEquals(expected, reply("static", ReplyEncoding.PLAIN, cn("device-1")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""                 | ""
      00                 | AA==
      000102ff           | AAEC/w==
      0a                 | Cg==
      6c696e65310a6c696e65320a | bGluZTEKbGluZTIK
      ff0afe0d00         | /wr+DQA=
      455252207820       | RVJSIHgg
      """)
  void base64FileSendsEveryByteExactly(String hex, String expected) throws Exception {
    write("bin", hex);
    String line = reply("bin", ReplyEncoding.BASE64, cn("device-1"));
    assertEquals(expected, line);
    assertEquals(hex, HexFormat.of().formatHex(Base64.getDecoder().decode(line)));
  }

  @Test
  void fileIsReadAtRequestTimeSoReplacingItChangesTheReply() throws Exception {
    Files.writeString(secrets.resolve("s"), "one\n");
    FileReply handler = new FileReply("GET", secrets.resolve("s").toString(), ReplyEncoding.PLAIN, EVERYONE);
    assertEquals("one", handler.handle(Calls.by(cn("device-1"))).reply().line());
    Files.writeString(secrets.resolve("s"), "two\n");
    assertEquals("two", handler.handle(Calls.by(cn("device-1"))).reply().line());
    Files.delete(secrets.resolve("s"));
    assertEquals(NO_REPLY, handler.handle(Calls.by(cn("device-1"))).reply().line());
  }

  @Test
  void clientPlaceholderBecomesTheCommonName() throws Exception {
    Files.writeString(secrets.resolve("device-1"), "secret of one\n");
    Files.writeString(secrets.resolve("device-2"), "secret of two\n");
    assertEquals("secret of one", reply("{client}", ReplyEncoding.PLAIN, cn("device-1")));
    assertEquals("secret of two", reply("{client}", ReplyEncoding.PLAIN, cn("device-2")));
    assertEquals("secret of one", reply("{client}", ReplyEncoding.PLAIN,
        new Identity("device-1", List.of("device-2"), List.of(), "9")));
    Files.writeString(secrets.resolve("device-1.pem"), "pem of one\n");
    assertEquals("pem of one", reply("{client}.pem", ReplyEncoding.PLAIN, cn("device-1")));
  }

  @Test
  void withoutACnNoFileIsNamedNotEvenByASan() throws Exception {
    Files.writeString(secrets.resolve("d1.fleet.example"), "LEAKED\n");
    assertEquals("ERR FORBIDDEN GET needs a certificate with a CN", reply("{client}", ReplyEncoding.PLAIN,
        new Identity("", List.of("d1.fleet.example"), List.of(), "9")));
  }

  @ParameterizedTest(name = "[{index}] allow {0}")
  @CsvSource(delimiter = '|', textBlock = """
      sensor-*           | ERR FORBIDDEN not allowed for this client
      spiffe://fleet/*   | ERR FORBIDDEN not allowed for this client
      admin-box          | admin's secret
      admin-*            | admin's secret
      *                  | admin's secret
      """)
  void theCnThatNamesTheFileMustBeTheNameTheAllowListMatched(String pattern, String expected) throws Exception {
    // Allowed through its DNS name or URI, named admin-box by its CN: it must not get admin-box's file.
    Files.writeString(secrets.resolve("admin-box"), "admin's secret\n");
    Identity who = new Identity("admin-box", List.of("sensor-1"), List.of("spiffe://fleet/sensor-1"), "9");
    assertEquals(expected, reply("{client}", ReplyEncoding.PLAIN, who, AllowList.of(List.of(pattern))));
  }

  @Test
  void aSymbolicLinkInPlaceOfAPerClientFileIsNeverFollowed() throws Exception {
    Files.writeString(dir.resolve("server.key"), "PRIVATE KEY\n");
    Files.createSymbolicLink(secrets.resolve("device-1"), dir.resolve("server.key"));
    assertEquals(NOT_AVAILABLE, reply("{client}", ReplyEncoding.PLAIN, cn("device-1")));
    assertEquals(NOT_AVAILABLE, reply("{client}", ReplyEncoding.BASE64, cn("device-1")));
  }

  @Test
  void aStaticReplyFileIsReadAsTheOperatorNamedItLinksIncluded() throws Exception {
    Files.writeString(dir.resolve("managed-secret"), "from config management\n");
    Files.createSymbolicLink(secrets.resolve("shared"), dir.resolve("managed-secret"));
    assertEquals("from config management", reply("shared", ReplyEncoding.PLAIN, cn("device-1")));
  }

  @Test
  void aDirectoryInPlaceOfAPerClientFileIsRefused() throws Exception {
    Files.createDirectory(secrets.resolve("device-9"));
    assertEquals(NOT_AVAILABLE, reply("{client}", ReplyEncoding.PLAIN, cn("device-9")));
  }

  @Test
  void aFifoIsRefusedWithoutOpeningIt() throws Exception {
    Path fifo = secrets.resolve("device-1");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
    // Opening a FIFO for reading blocks until a writer comes; the reply must come back at once instead.
    String line = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
        () -> reply("{client}", ReplyEncoding.PLAIN, cn("device-1")));
    assertEquals(NOT_AVAILABLE, line);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"../outside", "..", ".", ".hidden", "a/b", "/etc/passwd", "..%2foutside", "a\\b",
      "x y", "nul\0", "a\nb", "", "spiffe://fleet/d1", "-", "~root", "a*", "${HOME}", "é"})
  void unsafeClientNamesAreRefusedWithoutReadingAnyFile(String name) throws Exception {
    Files.writeString(dir.resolve("outside"), "LEAKED\n");
    Files.createDirectories(secrets.resolve("a"));
    Files.writeString(secrets.resolve("a/b"), "LEAKED\n");
    Files.writeString(secrets.resolve(".hidden"), "LEAKED\n");
    Files.writeString(secrets.resolve("-"), "dash\n");
    Identity who = name.isEmpty() ? new Identity("", List.of(), List.of(), "abc") : cn(name);
    String line = reply("{client}", ReplyEncoding.PLAIN, who);
    if (name.equals("-")) {
      assertEquals("dash", line); // a plain name that happens to be odd is still a plain file name
      return;
    }
    assertEquals(name.isEmpty() ? "ERR FORBIDDEN GET needs a certificate with a CN" : NO_REPLY, line);
    assertFalse(line.contains("LEAKED"));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"device-1", "DEVICE_1", "a.b", "a..b", "user@example.com", "a+b=c,d", "_x", "9", "a=", "a,b"})
  void safeClientNamesAreFileNames(String name) throws Exception {
    Files.writeString(secrets.resolve(name), "ok\n");
    assertEquals("ok", reply("{client}", ReplyEncoding.PLAIN, cn(name)));
  }

  @Test
  void aNameOf255CharactersIsAcceptedAndOf256Refused() throws Exception {
    Files.writeString(secrets.resolve("x".repeat(255)), "long\n");
    assertEquals("long", reply("{client}", ReplyEncoding.PLAIN, cn("x".repeat(255))));
    assertEquals(NO_REPLY, reply("{client}", ReplyEncoding.PLAIN, cn("x".repeat(256))));
  }

  @Test
  void anonymousClientOfAPerClientFileIsForbidden() throws Exception {
    Files.writeString(secrets.resolve("anonymous"), "LEAKED\n");
    assertEquals("ERR FORBIDDEN GET needs a client certificate",
        reply("{client}", ReplyEncoding.PLAIN, Identity.ANONYMOUS));
  }

  @Test
  void anonymousClientOfASharedFileGetsIt() throws Exception {
    Files.writeString(secrets.resolve("shared"), "for all\n");
    assertEquals("for all", reply("shared", ReplyEncoding.PLAIN, Identity.ANONYMOUS));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(textBlock = """
      PLAIN
      BASE64
      """)
  void missingFileIsUnavailable(ReplyEncoding encoding) {
    assertEquals(NO_REPLY, reply("missing", encoding, cn("device-1")));
    assertEquals(NO_REPLY, reply("{client}", encoding, cn("device-1")));
  }

  @Test
  void aDirectoryIsUnavailable() throws Exception {
    Files.createDirectory(secrets.resolve("device-1"));
    assertEquals(NOT_AVAILABLE, reply("{client}", ReplyEncoding.PLAIN, cn("device-1")));
  }

  @ParameterizedTest(name = "[{index}] {0} bytes {1}")
  @CsvSource(textBlock = """
      524288, PLAIN,  ok
      524289, PLAIN,  too large
      524288, BASE64, ok
      524289, BASE64, too large
      2000000, BASE64, too large
      """)
  void filesAbove512KiBAreUnavailable(int size, ReplyEncoding encoding, String outcome) throws Exception {
    byte[] bytes = new byte[size];
    java.util.Arrays.fill(bytes, (byte) 'a');
    Files.write(secrets.resolve("big"), bytes);
    String line = reply("big", encoding, cn("device-1"));
    if (outcome.equals("ok")) {
      String value = encoding == ReplyEncoding.PLAIN ? new String(bytes, StandardCharsets.US_ASCII)
          : Base64.getEncoder().encodeToString(bytes);
      assertEquals(value, line);
    } else {
      assertEquals(NOT_AVAILABLE, line);
    }
  }

  @Test
  void aClientNameWithEightBitControlsIsLoggedEscaped() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(FileReply.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      // U+009B is the 8-bit CSI: U+009B "2J" clears a terminal that shows the log raw, as ESC "[2J" does
      assertEquals(NO_REPLY, reply("{client}", ReplyEncoding.PLAIN, cn("dev\u009b2J\u202e\u2028x")));
    } finally {
      logger.detachAppender(lines);
    }
    assertEquals(1, lines.list.size(), lines.list.toString());
    String line = lines.list.get(0).getFormattedMessage();
    assertFalse(line.codePoints().anyMatch(c -> c == 0x9b || c == 0x202e || c == 0x2028), line);
    assertTrue(line.contains("dev\\x9b2J\\u202e\\u2028x"), line);
  }
}
