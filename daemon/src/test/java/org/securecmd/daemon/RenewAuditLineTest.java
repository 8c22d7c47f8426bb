package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.tls.TestPki;

/** The renewal audit lines carry a device's names through the audit log's one sanitiser, C1 controls included. */
class RenewAuditLineTest {
  @TempDir Path dir;
  private TestDaemon daemon;

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) daemon.close();
  }

  @Test
  void aRefusedRenewalOfACommonNameWithEightBitControlsIsAuditedEscaped() throws Exception {
    String allow = "allow = [\"dev-*\"]";
    daemon = TestDaemon.start(dir, TestDaemon.config(allow, ""));
    daemon.pki.intermediate().write(dir, "issuing");
    daemon.writeConfig(TestDaemon.config(allow, """
        [enrollment]
        ca_certificate = "issuing.crt"
        ca_key = "issuing.key"
        validity = "365d"
        renew_before = "1d"
        allow = ["dev-*"]
        """));
    TestDaemonAccess.reload(daemon);
    // U+009B is the 8-bit CSI (U+009B "2J" clears a terminal showing the log raw); U+2028 ends a line for some
    // viewers; U+202E reverses what follows
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-\u009b2J\u2028\u202e").clientAuth());
    try (AuditCapture audit = new AuditCapture()) {
      assertEquals("NOT_DUE", daemon.send(device, "RENEW AAAA").errorCode());
      String line = audit.await(l -> l.startsWith("renew-refused"), Duration.ofSeconds(10), "renew-refused");
      assertFalse(line.codePoints().anyMatch(c -> c == 0x9b || c == 0x2028 || c == 0x202e), line);
      assertTrue(line.contains("client=dev-\\x9b2J\\u2028\\u202e "), line);
    }
  }
}
