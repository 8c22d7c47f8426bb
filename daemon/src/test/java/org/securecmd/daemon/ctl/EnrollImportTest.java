package org.securecmd.daemon.ctl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory CSV to checked entries and to request lines that each fit the admin socket's line. */
class EnrollImportTest {
  @TempDir Path dir;

  private static String hex(int i) {
    return String.format("%064x", i);
  }

  @Test
  void everyEntryIsSentOnceInOrderAndNoRequestExceedsTheLimit() {
    List<EnrollImport.Entry> entries = new ArrayList<>();
    String longName = "n".repeat(30) + "\u00e9".repeat(34); // 64 characters, 98 bytes of UTF-8
    for (int i = 1; i <= 500; i++) entries.add(new EnrollImport.Entry(i, longName + i % 10, hex(i), ""));
    entries.add(new EnrollImport.Entry(501, "refused", "", "no EK certificate file or SHA-256"));
    List<String> pieces = EnrollImport.pieces(entries);
    assertTrue(pieces.size() > 1, "several requests");
    List<String> sent = new ArrayList<>();
    for (String p : pieces) {
      assertTrue(p.getBytes(UTF_8).length <= EnrollImport.MAX_REQUEST_BYTES, p.length() + " bytes");
      assertTrue(p.startsWith("enroll import "), p);
      sent.addAll(List.of(p.substring("enroll import ".length()).split(" ")));
    }
    assertEquals(500, sent.size(), "the refused entry is not sent");
    assertEquals("1:" + longName + "1," + hex(1), sent.get(0));
    assertEquals("500:" + longName + "0," + hex(500), sent.get(499));
  }

  @Test
  void linesAreReadWithTheirNumbersAndRefusedHereWhenTheyCannotBeRegistrations() throws Exception {
    Path csv = dir.resolve("f.csv");
    Files.writeString(csv, "Name,EK\n\n# comment\ndev-1," + hex(1).toUpperCase() + "\ndev 2," + hex(2)
        + "\ndev-3\ndev-4,a,b\ndev-5,nothing.pem\n", UTF_8);
    List<EnrollImport.Entry> e = EnrollImport.read(csv);
    assertEquals(new EnrollImport.Entry(4, "dev-1", hex(1), ""), e.get(0));
    assertEquals(5, e.get(1).line());
    assertTrue(e.get(1).refusal().startsWith("a device name is"), e.get(1).toString());
    assertEquals("expected NAME,EK-CERTIFICATE-FILE or NAME,SHA256", e.get(2).refusal());
    assertEquals("expected NAME,EK-CERTIFICATE-FILE or NAME,SHA256", e.get(3).refusal());
    assertTrue(e.get(4).refusal().startsWith(dir.resolve("nothing.pem") + ": cannot read the EK certificate"),
        e.get(4).refusal());
    assertEquals(5, e.size());
  }

  @Test
  void aFileWithoutDeviceLinesOrUnreadableIsAUsageError() throws Exception {
    Path csv = Files.writeString(dir.resolve("empty.csv"), "name,ek\n# nothing yet\n", UTF_8);
    assertEquals("enroll import: " + csv + " holds no device line",
        assertThrows(IllegalArgumentException.class, () -> EnrollImport.read(csv)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EnrollImport.read(dir.resolve("none.csv")))
        .getMessage().startsWith("enroll import: cannot read " + dir.resolve("none.csv")));
  }
}
