package org.securecmd.daemon.state;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which renewed certificates a revocation takes along: revoking a serial (the operator's {@code revoke
 * serial}, or a CRL entry) also revokes its successors that were never presented on a connection, and
 * theirs. A successor in use stays: the device has moved on to it, and the operator revokes it by its own
 * serial. Without this a device could renew ahead of a revocation and keep the spare certificate.
 */
public final class Successors {
  private final IssuanceLog issued;

  public Successors(IssuanceLog issued) {
    this.issued = issued;
  }

  /** The unused successors of every serial in {@code revoked} (lower-case hex), and theirs. */
  public List<Issuance> unusedOf(Collection<String> revoked) throws IOException {
    List<Issuance> out = new ArrayList<>();
    if (revoked.isEmpty()) return out;
    Set<String> seen = new HashSet<>(revoked);
    Deque<String> todo = new ArrayDeque<>(revoked);
    // one pass over the log for many serials (a CRL), a lookup each for a few (a revoke)
    Map<String, List<Issuance>> byPredecessor = null;
    if (revoked.size() > 8) {
      byPredecessor = new HashMap<>();
      for (Issuance i : issued.all()) byPredecessor.computeIfAbsent(i.oldSerial(), k -> new ArrayList<>()).add(i);
    }
    while (!todo.isEmpty()) {
      String serial = todo.pop();
      List<Issuance> next = byPredecessor == null ? issued.successorsOf(serial)
          : byPredecessor.getOrDefault(serial, List.of());
      for (Issuance s : next) {
        if (s.used() || !seen.add(s.serial())) continue;
        out.add(s);
        todo.push(s.serial());
      }
    }
    return out;
  }
}
