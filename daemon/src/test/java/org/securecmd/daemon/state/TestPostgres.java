package org.securecmd.daemon.state;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throwaway PostgreSQL cluster (Debian's {@code postgresql} package: initdb, pg_ctl) in a temp directory,
 * on a free port of 127.0.0.1 with its UNIX socket in that directory, stopped and deleted on close. The
 * server refuses to run as root, so under root (CI) it runs as an unprivileged user: {@code postgres} when
 * the package created it, else {@code nobody}. Password (scram-sha-256) authentication over TCP, as a
 * fleet's database would have; the superuser is {@link #USER} with the password in {@link #passwordFile()}.
 *
 * <p>The one fixture of every PostgreSQL test: registered as an extension, it starts before the class's
 * {@code @BeforeAll} methods and is closed after its {@code @AfterAll} ones.
 *
 * <pre>{@code
 * @RegisterExtension static final TestPostgres pg = new TestPostgres();
 * ... String url = pg.url(pg.createDatabase()); ... pg.stop(); pg.restart();
 * }</pre>
 */
public final class TestPostgres implements BeforeAllCallback, AfterAllCallback {
  public static final String USER = "securecmd";
  private static final String PASSWORD = "test-password-" + System.nanoTime();
  private static final AtomicInteger DATABASES = new AtomicInteger();

  /** Set once by {@link #beforeAll}: the cluster's files, server binaries, OS user (null: ours) and port. */
  private record Cluster(Path dir, Path bin, String runAs, int port) {}

  private volatile Cluster cluster;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
    if (cluster != null) throw new IllegalStateException("TestPostgres started twice: register it once, static");
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    String runAs = root ? (userExists("postgres") ? "postgres" : "nobody") : null;
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "securecmd-pg-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.writeString(dir.resolve("pwfile"), PASSWORD + "\n");
    Files.writeString(dir.resolve("password"), PASSWORD + "\n");
    Files.setPosixFilePermissions(dir.resolve("password"), PosixFilePermissions.fromString("rw-------"));
    if (runAs != null) run(List.of("chown", runAs, dir.toString(), dir.resolve("pwfile").toString()), null, dir);
    cluster = new Cluster(dir, bin, runAs, freePort());
    pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
        "--pwfile=" + dir.resolve("pwfile"), "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8",
        "--no-sync", "--no-instructions"));
    // a test JVM that dies without closing must not leave a server running on the CI machine
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        close();
      } catch (IOException | InterruptedException ignored) {
        // best effort at exit
      }
    }));
    restart();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException, InterruptedException {
    close();
  }

  private Cluster cluster() {
    Cluster c = cluster;
    if (c == null) throw new IllegalStateException("TestPostgres not started: register it with @RegisterExtension");
    return c;
  }

  /** The newest {@code /usr/lib/postgresql/N/bin} with initdb; a clear failure when the package is missing. */
  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        var found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
            .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        if (found.isPresent()) return found.get();
      }
    }
    throw new IOException("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: apt-get install postgresql"
        + " (listed in scripts/ci-packages-state.txt)");
  }

  private static boolean userExists(String name) throws IOException {
    return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(name + ":"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts (again) on the same port and directory; returns once it accepts connections. */
  public void restart() throws IOException, InterruptedException {
    Cluster c = cluster();
    pg(List.of(c.bin().resolve("pg_ctl").toString(), "-D", c.dir().resolve("data").toString(), "-l",
        c.dir().resolve("server.log").toString(), "-w", "-t", "60", "-o",
        "-p " + c.port() + " -k " + c.dir() + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
        "start"));
  }

  /** Stops the server (fast: open connections are terminated, as in a crash of the database host). */
  public void stop() throws IOException, InterruptedException {
    Cluster c = cluster();
    pg(List.of(c.bin().resolve("pg_ctl").toString(), "-D", c.dir().resolve("data").toString(), "-m", "fast", "-w",
        "-t", "60", "stop"));
  }

  public int port() {
    return cluster().port();
  }

  /** Undoes {@link #freeze}. */
  public interface Thaw extends AutoCloseable {
    @Override
    void close() throws IOException, InterruptedException;
  }

  /**
   * A database host that hangs (SIGSTOP of the postmaster, then of every backend): connections stay open and
   * TCP connects still complete, but nothing answers. The returned {@link Thaw} SIGCONTs them (close it in a
   * finally). The postmaster is stopped first, so no backend can be started between listing and stopping.
   */
  public Thaw freeze() throws IOException, InterruptedException {
    Path dir = cluster().dir();
    long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).strip());
    List<String> pids = new ArrayList<>(List.of(String.valueOf(postmaster)));
    signal("STOP", pids);
    ProcessHandle.of(postmaster).orElseThrow(() -> new IOException("postmaster " + postmaster + " is not running"))
        .descendants().forEach(p -> pids.add(String.valueOf(p.pid())));
    signal("STOP", pids.subList(1, pids.size()));
    return () -> signal("CONT", pids);
  }

  private void signal(String name, List<String> pids) throws IOException, InterruptedException {
    if (pids.isEmpty()) return;
    List<String> command = new ArrayList<>(List.of("kill", "-" + name));
    command.addAll(pids);
    run(command, null, cluster().dir());
  }

  /** A file holding the password, mode 0600 (what {@code [state] password_file} points to). */
  public Path passwordFile() {
    return cluster().dir().resolve("password");
  }

  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
  }

  /** A new empty database; its name. */
  public String createDatabase() throws SQLException {
    String name = "securecmd_test_" + DATABASES.incrementAndGet();
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return name;
  }

  public Connection connect(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", PASSWORD);
    return DriverManager.getConnection(url(database), p);
  }

  /** The store's connection settings for {@code database}, as {@code [state]} gives them. */
  Database database(String database) throws IOException {
    return new Database(url(database), USER, Files.readString(passwordFile()).strip().toCharArray());
  }

  /** {@code config} with its {@code [state]} table ({@code directory = "state"} only) using {@code database}. */
  public String withState(String config, String database) {
    return withStateAt(config, url(database));
  }

  /** As {@link #withState}, for any URL (one where no server listens, say) with this cluster's user and password. */
  public String withStateAt(String config, String url) {
    String table = "[state]\ndirectory = \"state\"\n";
    if (!config.contains(table)) throw new IllegalArgumentException("no plain [state] table in:\n" + config);
    return config.replace(table, stateTable("state", url));
  }

  private String stateTable(String directory, String url) {
    return """
        [state]
        directory = "%s"
        backend = "postgresql"
        url = "%s"
        user = "%s"
        password_file = "%s"
        """.formatted(directory, url, USER, passwordFile());
  }

  private void pg(List<String> command) throws IOException, InterruptedException {
    Cluster c = cluster();
    List<String> full = new ArrayList<>();
    if (c.runAs() != null) full.addAll(List.of("runuser", "-u", c.runAs(), "--"));
    full.addAll(command);
    run(full, c.dir().resolve("server.log"), c.dir());
  }

  private static void run(List<String> command, Path log, Path dir) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out after 90 s: " + String.join(" ", command));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      String serverLog = log != null && Files.isReadable(log) ? Files.readString(log) : "";
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out + serverLog);
    }
  }

  /** Stops the server and deletes its files; again (the shutdown hook) or before a start, nothing. */
  private synchronized void close() throws IOException, InterruptedException {
    Cluster c = cluster;
    if (c == null || !Files.exists(c.dir())) return;
    Path dir = c.dir();
    try {
      if (Files.exists(dir.resolve("data/postmaster.pid"))) stop();
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }
}
