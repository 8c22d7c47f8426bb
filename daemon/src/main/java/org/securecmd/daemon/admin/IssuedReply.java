package org.securecmd.daemon.admin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.securecmd.daemon.audit.RenewalMetrics;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.IssuanceLog;

/** The {@code issued} request (every RENEW issuance) and the renewal part of {@code status}. */
final class IssuedReply {
  private IssuedReply() {}

  static Map<String, Object> list(IssuanceLog log) {
    List<Issuance> all;
    try {
      all = log == null ? List.of() : log.all();
    } catch (IOException e) {
      return AdminError.INTERNAL.reply("cannot read the issuance records: " + e.getMessage());
    }
    List<Object> out = new ArrayList<>();
    Map<String, Issuance> bySerial = new HashMap<>();
    for (Issuance i : all) bySerial.put(i.serial(), i);
    for (Issuance i : all) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("serial", i.serial());
      m.put("identity", i.identity());
      m.put("subject", i.subject());
      m.put("not_after", i.notAfter().toString());
      m.put("old_serial", i.oldSerial());
      m.put("issued_at", i.issuedAt().toString());
      m.put("rekey", i.rekey());
      m.put("first_used_at", i.firstUsedAt() == null ? null : i.firstUsedAt().toString());
      m.put("chain", chain(i, bySerial));
      out.add(m);
    }
    Map<String, Object> m = AdminRequests.ok();
    m.put("issued", out);
    return m;
  }

  /**
   * The serials from the first certificate this one descends from (the device's original, not issued here)
   * to this one, through each record's predecessor.
   */
  private static List<Object> chain(Issuance last, Map<String, Issuance> bySerial) {
    List<Object> serials = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    serials.add(last.serial());
    seen.add(last.serial());
    String previous = last.oldSerial();
    while (seen.add(previous)) {
      serials.add(previous);
      Issuance before = bySerial.get(previous);
      if (before == null) break;
      previous = before.oldSerial();
    }
    java.util.Collections.reverse(serials);
    return serials;
  }

  static Map<String, Object> status(RenewalMetrics r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("issued", r.issuedCount());
    m.put("refused", new LinkedHashMap<String, Object>(r.refusedCounts()));
    m.put("devices_due", r.devicesDue());
    return m;
  }
}
