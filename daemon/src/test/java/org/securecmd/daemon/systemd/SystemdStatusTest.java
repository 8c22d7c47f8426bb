package org.securecmd.daemon.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SystemdStatusTest {
  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final SystemdStatus status = new SystemdStatus(sent::add, () -> 123_456L);

  @Test
  void fullLifecycleSendsEachTransitionOnce() {
    assertTrue(status.ready());
    status.status("serving 3 connections");
    assertTrue(status.reloading());
    assertTrue(status.readyAfterReload());
    assertTrue(status.stopping());
    assertEquals(List.of("READY=1", "STATUS=serving 3 connections",
        "RELOADING=1\nMONOTONIC_USEC=123456", "READY=1", "STOPPING=1"), sent);
  }

  @Test
  void aStartUpStatusIsSentOnlyBeforeReady() {
    status.statusWhileStarting("loading /etc/securecmd/config.toml");
    assertTrue(status.ready());
    status.statusWhileStarting("loading /etc/securecmd/config.toml"); // a start-up thread that came late
    status.status("serving");
    assertEquals(List.of("STATUS=loading /etc/securecmd/config.toml", "READY=1", "STATUS=serving"), sent);
  }

  @Test
  void linkingTheDowncallsAheadOfUseLeavesThemWorking() throws Exception {
    SocketActivation.linkDowncalls();
    int fd = Libc.dup(1);
    Libc.close(fd);
    assertTrue(Libc.monotonicUsec() > 0);
  }

  @Test
  void neverReadyOrReloadingAfterStopping() {
    status.ready();
    status.stopping();
    assertFalse(status.ready());
    assertFalse(status.reloading());
    assertFalse(status.readyAfterReload());
    assertFalse(status.stopping());
    assertEquals(List.of("READY=1", "STOPPING=1"), sent);
  }

  @Test
  void stoppingDuringReloadSwallowsTheReloadsReady() {
    status.ready();
    status.reloading();
    status.stopping();
    assertFalse(status.readyAfterReload());
    assertEquals(List.of("READY=1", "RELOADING=1\nMONOTONIC_USEC=123456", "STOPPING=1"), sent);
  }

  @Test
  void stoppingBeforeReadyNeverSendsReady() {
    assertTrue(status.stopping());
    assertFalse(status.ready());
    assertEquals(List.of("STOPPING=1"), sent);
  }

  @Test
  void transitionsOutOfOrderAreIgnored() {
    assertFalse(status.reloading());        // not ready yet
    assertFalse(status.readyAfterReload()); // no reload running
    assertTrue(status.ready());
    assertFalse(status.ready());            // READY=1 once
    assertTrue(status.reloading());
    assertFalse(status.reloading());        // one reload at a time
    assertFalse(status.ready());
    assertEquals(List.of("READY=1", "RELOADING=1\nMONOTONIC_USEC=123456"), sent);
  }

  @Test
  void statusIsAllowedWhileStoppingAndStaysOneField() {
    status.stopping();
    status.status("draining\nREADY=1\r\n");
    assertEquals(List.of("STOPPING=1", "STATUS=draining READY=1  "), sent);
  }

  @Test
  void realClockIsUsedByDefault() {
    var real = new SystemdStatus(sent::add);
    real.ready();
    real.reloading();
    long usec = Long.parseLong(sent.get(1).substring("RELOADING=1\nMONOTONIC_USEC=".length()));
    assertTrue(usec > 0, sent.get(1));
  }
}
