package org.securecmd.daemon;

/** For tests in other packages: the package-private parts of a {@link TestDaemon} they need. */
public final class TestDaemonAccess {
  private TestDaemonAccess() {}

  public static void reload(TestDaemon d) throws Exception {
    d.daemon.reload();
  }

  /** {@code securecmdctl revoke IDENTITY} against the daemon's admin socket. */
  public static void revokeIdentity(TestDaemon d, String identity) {
    Ctl.Result r = new Ctl(d.daemon.adminSocket()).run("revoke", identity);
    if (r.code() != 0) throw new AssertionError(r.toString());
  }

  public static Admin ctl(TestDaemon d) {
    return new Admin(d.daemon.adminSocket());
  }

  /** securecmdctl against one daemon: stdout, or an AssertionError with everything when it fails. */
  public record Admin(java.nio.file.Path socket) {
    public String run(String... args) {
      org.securecmd.daemon.Ctl.Result r = new org.securecmd.daemon.Ctl(socket).run(args);
      if (r.code() != 0) throw new AssertionError(r.toString());
      return r.out();
    }
  }
}
