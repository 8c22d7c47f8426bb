package org.securecmd.daemon.enroll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.IssuanceFile;
import org.securecmd.daemon.state.IssuanceLog;

class RolloverTest {
  @TempDir Path dir;
  private final List<String> revoked = new ArrayList<>();

  private IssuanceFile log(boolean rekey) throws Exception {
    IssuanceFile log = new IssuanceFile(dir.resolve("issued"));
    log.append(new Issuance("new1", "dev-1", "CN=dev-1", Instant.now().plus(Duration.ofDays(365)), "old1", Instant.now(),
        "ab", rekey));
    return log;
  }

  @Test
  void afterARestartTheOldSerialIsRevokedWhenTheRekeyedCertificateFirstConnects() throws Exception {
    Rollover r = new Rollover(log(true), s -> false, revoked::add, Runnable::run);
    r.connected(1, "old1", Instant.now().plus(Duration.ofDays(1))); // the old pair still works
    assertEquals(List.of(), revoked);
    r.connected(2, "new1", Instant.now().plus(Duration.ofDays(365)));
    assertEquals(List.of("old1"), revoked);
    r.connected(3, "new1", Instant.now().plus(Duration.ofDays(365)));
    assertEquals(List.of("old1"), revoked, "once");
  }

  @Test
  void aRekeyRecordedAfterStartIsFoundOnConnectAsWhenAnotherHostIssuedIt() throws Exception {
    IssuanceFile empty = new IssuanceFile(dir.resolve("issued"));
    Rollover r = new Rollover(empty, s -> false, revoked::add, Runnable::run);
    log(true); // written by "another host" after this Rollover started: a fresh reader of the same records
    new Rollover(new IssuanceFile(dir.resolve("issued")), s -> false, revoked::add, Runnable::run)
        .connected(1, "new1", Instant.now().plus(Duration.ofDays(365)));
    assertEquals(List.of("old1"), revoked);
    r.connected(2, "unknown", Instant.now()); // a serial that was never issued here: nothing to do
    assertEquals(List.of("old1"), revoked);
  }

  @Test
  void aPlainRenewalNeverRevokesAndAFinishedRekeyIsNotRepeated() throws Exception {
    new Rollover(log(false), s -> false, revoked::add, Runnable::run).connected(1, "new1", Instant.now());
    assertEquals(List.of(), revoked);
    new Rollover(new IssuanceFile(dir.resolve("issued")), Set.of("old1")::contains, revoked::add, Runnable::run).connected(1, "new1", Instant.now());
    assertEquals(List.of(), revoked);
  }

  @Test
  void whileTheLogFailsQueuedLookupsAreSkippedAndTheSerialIsTriedAgainOnItsNextConnection() throws Exception {
    IssuanceFile real = log(true);
    int[] calls = {0};
    boolean[] down = {true};
    IssuanceLog failing = new IssuanceLog() { // the database away: every read fails
      @Override
      public java.util.Optional<Conflict> append(Issuance i, Rules rules) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void markUsed(String serial, Instant at) throws IOException {
        real.markUsed(serial, at);
      }

      @Override
      public List<Issuance> all() throws IOException {
        calls[0]++;
        if (down[0]) throw new IOException("connection refused");
        return real.all();
      }
    };
    long[] now = {0};
    Rollover r = new Rollover(failing, s -> false, revoked::add, Runnable::run, () -> now[0]);
    r.connected(1, "a", Instant.now());
    r.connected(2, "new1", Instant.now());
    assertEquals(1, calls[0], "the second lookup is skipped while the log fails");
    down[0] = false;
    r.connected(3, "new1", Instant.now()); // still within RETRY_AFTER_FAILURE: skipped again, not remembered
    assertEquals(List.of(), revoked);
    assertEquals(1, calls[0]);
    now[0] += Rollover.RETRY_AFTER_FAILURE.toNanos() + 1;
    r.connected(4, "new1", Instant.now()); // the log is back: the rekey completes on this connection
    assertEquals(List.of("old1"), revoked);
  }

  @Test
  void countsConnectedDevicesDueWithinTheWindowUntilTheyClose() throws Exception {
    Rollover r = new Rollover(new IssuanceFile(dir.resolve("none")), s -> false, revoked::add, Runnable::run);
    Instant now = Instant.now();
    r.connected(1, "a", now.plus(Duration.ofDays(10)));
    r.connected(2, "b", now.plus(Duration.ofDays(100)));
    r.connected(3, "", null); // anonymous
    assertEquals(1, r.dueWithin(Duration.ofDays(60), now));
    r.closed(1);
    assertEquals(0, r.dueWithin(Duration.ofDays(60), now));
  }
}
