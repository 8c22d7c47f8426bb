package org.securecmd.daemon.admin;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.securecmd.daemon.audit.CrlHealth;
import org.securecmd.daemon.state.StateHealth;

/** The parts of the {@code status} reply that render one value each: the CRL, a certificate, the state store. */
final class StatusReply {
  private StatusReply() {}

  /** The CRL file's state: what is in force, until when, and whether the last load of the file worked. */
  static Map<String, Object> crl(CrlHealth.Status s, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("configured", s.configured());
    if (!s.configured()) return m;
    m.put("last_load_ok", s.lastLoadSucceeded());
    if (!s.lastLoadSucceeded()) m.put("last_error", s.lastError());
    m.put("loaded", s.loadedAt().toString());
    List<Object> crls = new ArrayList<>();
    for (CrlHealth.Crl c : s.crls()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("issuer", c.issuer());
      c.nextUpdate().ifPresent(t -> {
        one.put("next_update", t.toString());
        one.put("next_update_in_seconds", Duration.between(now, t).toSeconds());
      });
      crls.add(one);
    }
    m.put("crls", crls);
    return m;
  }

  static Map<String, Object> certificate(X509Certificate c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subject", c.getSubjectX500Principal().getName());
    m.put("not_after", c.getNotAfter().toInstant().toString());
    return m;
  }

  static Map<String, Object> state(StateHealth h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("backend", h.backend());
    m.put("degraded", h.degraded());
    m.put("last_sync", h.lastSync().map(Instant::toString).orElse(""));
    m.put("pending", h.pending());
    m.put("detail", h.detail());
    return m;
  }
}
