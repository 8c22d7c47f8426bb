package org.securecmd.daemon.systemd;

import java.util.function.LongSupplier;

/**
 * The one owner of the daemon's systemd state: starting, ready, reloading, stopping. Every
 * transition goes through here, so the rule "once STOPPING, never READY or RELOADING again"
 * holds no matter which thread finishes a reload during shutdown.
 *
 * <pre>{@code
 * SystemdStatus systemd = new SystemdStatus(Notifier.fromEnvironment(System.getenv()));
 * systemd.ready();                      // READY=1, once the listener accepts
 * systemd.reloading(); ... systemd.readyAfterReload();
 * systemd.stopping();                   // STOPPING=1; later ready()/reloading() send nothing
 * }</pre>
 *
 * <p>Each transition method returns whether it sent anything; a transition that does not apply
 * in the current state is ignored rather than thrown, as shutdown can race any of them.
 */
public final class SystemdStatus {
  private enum State { STARTING, READY, RELOADING, STOPPING }

  private final Notifier notifier;
  private final LongSupplier monotonicUsec;
  private State state = State.STARTING;

  public SystemdStatus(Notifier notifier) {
    this(notifier, Libc::monotonicUsec);
  }

  SystemdStatus(Notifier notifier, LongSupplier monotonicUsec) {
    this.notifier = notifier;
    this.monotonicUsec = monotonicUsec;
  }

  /** READY=1 the first time the daemon serves; ignored once ready, reloading or stopping. */
  public synchronized boolean ready() {
    return move(State.STARTING, State.READY, "READY=1");
  }

  /**
   * RELOADING=1 with the CLOCK_MONOTONIC timestamp that {@code Type=notify-reload} requires
   * (systemd 253+; older versions ignore the extra field). Only from READY.
   */
  public synchronized boolean reloading() {
    return move(State.READY, State.RELOADING,
        "RELOADING=1\nMONOTONIC_USEC=" + monotonicUsec.getAsLong());
  }

  /** READY=1 ending a reload, whether it succeeded or kept the old configuration. */
  public synchronized boolean readyAfterReload() {
    return move(State.RELOADING, State.READY, "READY=1");
  }

  /** STOPPING=1; final: later transitions send nothing. */
  public synchronized boolean stopping() {
    if (state == State.STOPPING) return false;
    state = State.STOPPING;
    notifier.notify("STOPPING=1");
    return true;
  }

  /**
   * STATUS= line for {@code systemctl status}, allowed in every state. Line breaks become
   * spaces: a newline would end the STATUS field and let the rest (say, an exception message)
   * be read as further assignments such as READY=1.
   */
  public synchronized void status(String line) {
    notifier.notify("STATUS=" + line.replace('\r', ' ').replace('\n', ' '));
  }

  /**
   * STATUS={@code line}, but only while starting: sent from another thread during start-up, it can never
   * overwrite what is sent once the daemon is ready.
   */
  public synchronized void statusWhileStarting(String line) {
    if (state == State.STARTING) status(line);
  }

  private boolean move(State from, State to, String message) {
    if (state != from) return false;
    state = to;
    notifier.notify(message);
    return true;
  }
}
