package org.securecmd.daemon.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * Opens connections to the shared database with bounded timeouts, so that an unreachable database makes
 * a call fail within seconds instead of hanging a revoke or the listener. URL parameters win over these
 * defaults (pgjdbc reads the URL last), so an operator can still tune them there.
 */
final class Database {
  /** Seconds to wait for TCP connect and login. */
  static final int CONNECT_TIMEOUT = 3;
  /** Seconds a query may take before the connection is given up as broken; above the listener's resync wait. */
  static final int SOCKET_TIMEOUT = 15;
  /**
   * What the server lets one statement of {@link #forRequests} take (waiting for a lock included): a call the
   * daemon gave up on (its own bound is shorter) does not leave a backend waiting behind it for long.
   */
  static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(5);

  private final String url;
  private final String shown;
  private final Properties properties = new Properties();
  private final org.postgresql.Driver driver = new org.postgresql.Driver();

  Database(String url, String user, char[] password) {
    this.url = url;
    this.shown = DatabaseUrl.shown(url);
    if (user != null) properties.setProperty("user", user);
    if (password != null) properties.setProperty("password", new String(password));
    properties.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT));
    properties.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT));
    properties.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT));
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("ApplicationName", "securecmdd");
  }

  /** For the calls a device waits for (the issuance records), with the server-side {@link #STATEMENT_TIMEOUT}. */
  static Database forRequests(String url, String user, char[] password) {
    Database d = new Database(url, user, password);
    d.properties.setProperty("options", "-c statement_timeout=" + STATEMENT_TIMEOUT.toMillis());
    return d;
  }

  Connection open() throws SQLException {
    return open(properties);
  }

  /** As {@link #open()}, with TCP connect and login bounded by {@code within} (whole seconds, at least one: pgjdbc's unit). */
  Connection open(Duration within) throws SQLException {
    Properties p = new Properties();
    p.putAll(properties);
    String seconds = String.valueOf(Math.max(1, within.toSeconds()));
    p.setProperty("connectTimeout", seconds);
    p.setProperty("loginTimeout", seconds);
    return open(p);
  }

  private Connection open(Properties properties) throws SQLException {
    Connection c = driver.connect(url, properties);
    if (c == null) throw new SQLException("not a PostgreSQL JDBC URL"); // the config check makes this unreachable
    return c;
  }

  /**
   * For messages and the files of the state directory: the URL without its query string. The config check
   * refuses a secret in the URL, and its parameters are still never printed or stored (one refused too late
   * must not end up in the journal or the last-known copy).
   */
  String shown() {
    return shown;
  }
}
