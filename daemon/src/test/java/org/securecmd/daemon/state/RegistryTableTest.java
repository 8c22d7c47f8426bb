package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The registry in a real PostgreSQL, each host with its own {@link RegistryTable} and connection. */
class RegistryTableTest extends EnrollmentRegistryContract {
  @RegisterExtension static final TestPostgres pg = new TestPostgres();
  private final List<RegistryTable> open = new ArrayList<>();
  private String database;



  @AfterEach
  void closeTables() {
    open.forEach(RegistryTable::close);
  }

  @Override
  void newRegistry() throws Exception {
    database = pg.createDatabase();
  }

  @Override
  RegistryTable host(String name) throws Exception {
    RegistryTable t = new RegistryTable(new Database(pg.url(database), TestPostgres.USER,
        Files.readString(pg.passwordFile()).strip().toCharArray()));
    open.add(t);
    return t;
  }

  @Test
  void twoHostsRegisteringOneEkUnderTwoNamesAtOnceLetExactlyOneWin() throws Exception {
    newRegistry();
    host("setup").counts(); // migrates, so the race is about the registration only
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        RegistryTable h = host("h" + i);
        String name = "dev-" + i;
        results.add(pool.submit((Callable<Boolean>) () -> {
          try {
            return h.register(registration(name, EK_A));
          } catch (EnrollmentRegistry.Refused e) {
            return false;
          }
        }));
      }
      int won = 0;
      for (Future<Boolean> f : results) won += f.get() ? 1 : 0;
      assertEquals(1, won);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, host("check").registrations().size());
  }

  @Test
  void theMigrationBringsTheSchemaToItsLatestVersion() throws Exception {
    newRegistry();
    host("a").counts();
    try (var c = pg.connect(database); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT version FROM securecmd_schema")) {
      r.next();
      assertEquals(Schema.LATEST, r.getInt(1));
      assertEquals(4, Schema.LATEST, "the registry is migration 3 → 4");
    }
  }
}
