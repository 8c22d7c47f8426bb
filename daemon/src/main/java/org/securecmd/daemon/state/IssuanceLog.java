package org.securecmd.daemon.state;

import java.io.IOException;
import java.util.List;

/**
 * Every certificate issued by {@code RENEW}, as the fleet's hosts share it: the state directory by default
 * ({@link IssuanceFile}), PostgreSQL when that backend is configured. Implementations are thread-safe; a
 * record is durable when {@link #append} returns.
 */
public interface IssuanceLog {
  /** Records one issuance; throws when it could not be made durable (the certificate is then not handed out). */
  void append(Issuance issuance) throws IOException;

  /** Every issuance, oldest first. */
  List<Issuance> all() throws IOException;

  /** The issuances for {@code identity}, oldest first. */
  default List<Issuance> forIdentity(String identity) throws IOException {
    return all().stream().filter(i -> i.identity().equals(identity)).toList();
  }
}
