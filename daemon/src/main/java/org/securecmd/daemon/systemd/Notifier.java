package org.securecmd.daemon.systemd;

import java.util.Map;

/**
 * Sends sd_notify(3) state to the service manager.
 *
 * <pre>{@code
 * Notifier notifier = Notifier.fromEnvironment(System.getenv());
 * notifier.notify("STATUS=loading configuration");
 * }</pre>
 *
 * <p>Delivery is best effort: an implementation logs a failed send and returns, because a lost
 * notification must not take the daemon down (systemd notices a missing READY=1 or watchdog
 * ping on its own). Most callers want {@link SystemdStatus} and {@link Watchdog} rather than
 * this interface directly.
 */
@FunctionalInterface
public interface Notifier {
  /** Sends nothing: the daemon runs by hand, or in a test. */
  Notifier NOOP = state -> {};

  /**
   * Sends one message: newline-separated {@code KEY=VALUE} assignments such as
   * {@code "READY=1"} or {@code "RELOADING=1\nMONOTONIC_USEC=123"}.
   */
  void notify(String state);

  /**
   * {@link #NOOP} when {@code NOTIFY_SOCKET} is unset, else a notifier sending datagrams to that
   * AF_UNIX address: a path ({@code /run/systemd/notify}) or an abstract name ({@code @name}).
   *
   * @throws IllegalArgumentException if {@code NOTIFY_SOCKET} is set to anything else, such as
   *     systemd's {@code vsock:} addresses, which this package does not support
   */
  static Notifier fromEnvironment(Map<String, String> env) {
    String address = env.get("NOTIFY_SOCKET");
    return address == null ? NOOP : new SdNotifier(address);
  }
}
