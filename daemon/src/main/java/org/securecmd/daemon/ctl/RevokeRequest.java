package org.securecmd.daemon.ctl;

/**
 * {@code revoke [--serial] [--reason TEXT] VALUE} to its admin request line, {@code revoke KIND VALUE}
 * then tab-separated {@code reason=TEXT} and {@code by=USER} (entries and reasons have no control
 * characters, so a tab separates them unambiguously), and the exit code of a this-host-only revoke.
 */
final class RevokeRequest {
  /** Exit code: the revocation is in effect on this host only until the shared state store is back. */
  static final int THIS_HOST_ONLY = 5;

  private RevokeRequest() {}

  /** The request line of a parsed {@code revoke} (values are checked for control characters already). */
  static String line(Subcommand.Parsed p) {
    String reason = p.values().getOrDefault("--reason", "").strip();
    return "revoke " + (p.flags().contains("--serial") ? "serial " : "identity ") + p.argument()
        + (reason.isEmpty() ? "" : "\treason=" + reason);
  }

  /**
   * Adds who asks ({@code by=}, the login name) to a revoke or an enrollment registration, which the daemon
   * records as {@code user@host}.
   */
  static String signed(String request) {
    String user = System.getProperty("user.name", "");
    boolean recorded = request.startsWith("revoke ") || request.startsWith("enroll add ")
        || request.startsWith("enroll approve ") || request.startsWith("enroll import ");
    if (!recorded || !user.matches("[A-Za-z0-9_.-]{1,64}\\$?")) return request;
    return request + "\tby=" + user;
  }
}
