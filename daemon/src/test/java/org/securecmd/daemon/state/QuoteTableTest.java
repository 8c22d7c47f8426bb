package org.securecmd.daemon.state;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link QuoteTable} in a real PostgreSQL: what one host records, another host reads. */
class QuoteTableTest extends QuoteLogContract {
  @RegisterExtension
  static final TestPostgres pg = new TestPostgres();
  private final List<QuoteTable> open = new ArrayList<>();
  private String database;

  @AfterEach
  void closeTables() {
    open.forEach(QuoteTable::close);
  }

  @Override
  void newLog() throws Exception {
    database = pg.createDatabase();
  }

  @Override
  QuoteLog host(String name) throws Exception {
    QuoteTable t = new QuoteTable(pg.database(database));
    open.add(t);
    return t;
  }
}
