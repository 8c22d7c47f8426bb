package org.securecmd.daemon;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP's reload. One that arrives while the daemon is still starting is done once, as soon as it has
 * started: systemd may send it right after READY=1 ({@code systemctl reload} after a start), which comes
 * before the start has returned, and dropping it would leave the old configuration serving unnoticed.
 * Each signal runs on a thread of its own; whichever of the signal and the start comes second runs the
 * reload, exactly once per signal taken up.
 */
final class ReloadSignal {
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicReference<Runnable> reload = new AtomicReference<>();

  /** A SIGHUP: reloads now, or once started. */
  void signalled() {
    pending.set(true);
    if (reload.get() == null) {
      LoggerFactory.getLogger(Daemon.class).info("SIGHUP while starting: the reload follows the start");
    }
    runIfStarted();
  }

  /** The daemon has started: {@code reloadOnSignal} reloads it; a SIGHUP taken meanwhile is done now. */
  void started(Runnable reloadOnSignal) {
    reload.set(reloadOnSignal);
    runIfStarted();
  }

  private void runIfStarted() {
    Runnable r = reload.get();
    if (r != null && pending.getAndSet(false)) r.run();
  }
}
