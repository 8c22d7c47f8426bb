package org.securecmd.daemon.admin;

import java.util.Map;

/** The stable error codes of admin replies ({@code "error"} field); securecmdctl maps them to exit codes. */
enum AdminError {
  /** The peer is neither root nor in the admin group. */
  ACCESS_DENIED,
  /** Unknown request, or a missing or malformed argument. */
  BAD_REQUEST,
  /** No such connection, or no such deny-list entry. */
  NOT_FOUND,
  /** An enrollment registration would give one TPM (EK) two names, or one name two TPMs; nothing changed. */
  CONFLICT,
  /** The new configuration is invalid; the old generation keeps serving. */
  RELOAD_FAILED,
  /** The deny list changed for this run but could not be saved. */
  NOT_SAVED,
  /**
   * A revocation is in effect on this host only, until the shared state store is reachable again (it is
   * kept in the pending journal and written then).
   */
  LOCAL_ONLY,
  /**
   * An unrevoke the state store cannot make now (the shared database is unreachable, or the file cannot be
   * saved): refused, because it would widen access on this host alone or only until a restart. Also: an
   * {@code enroll} request whose registry (state directory or database) cannot be read or written now.
   */
  STATE_UNAVAILABLE,
  /** Too many admin requests at once. */
  BUSY,
  /** A bug; the daemon log has the details. */
  INTERNAL;

  Map<String, Object> reply(String message) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("ok", false);
    m.put("error", name());
    m.put("message", message);
    return m;
  }
}
