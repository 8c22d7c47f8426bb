package org.securecmd.tpm;

import java.util.ArrayList;
import java.util.List;

/**
 * One TPM 2.0 command being marshalled: header (tag, size, command code), handles, the authorization
 * area when any handle needs one, then the parameters. The tag follows from whether sessions are present
 * (TPM_ST_SESSIONS 0x8002, else TPM_ST_NO_SESSIONS 0x8001).
 */
final class Command {
  static final int ST_NO_SESSIONS = 0x8001;
  static final int ST_SESSIONS = 0x8002;

  final String name;
  final int code;
  final int responseHandles;
  private final List<Integer> handles = new ArrayList<>();
  private final List<Session> sessions = new ArrayList<>();
  private final TpmWriter params = new TpmWriter();

  /**
   * @param name the command's name for messages, e.g. {@code TPM2_Quote}
   * @param responseHandles how many handles the response carries before its parameters
   */
  Command(String name, int code, int responseHandles) {
    this.name = name;
    this.code = code;
    this.responseHandles = responseHandles;
  }

  Command handle(int h) {
    handles.add(h);
    return this;
  }

  /** A handle that needs authorization, with the session that gives it; sessions follow the handles' order. */
  Command handle(int h, Session s) {
    handles.add(h);
    sessions.add(s);
    return this;
  }

  /** The parameter area, written in the command's order. */
  TpmWriter params() {
    return params;
  }

  boolean hasSessions() {
    return !sessions.isEmpty();
  }

  byte[] marshal() {
    TpmWriter body = new TpmWriter();
    for (int h : handles) body.u32(h);
    if (hasSessions()) {
      TpmWriter auth = new TpmWriter();
      for (Session s : sessions) marshal(s, auth);
      body.u32(auth.size()).bytes(auth.toByteArray());
    }
    body.bytes(params.toByteArray());
    return new TpmWriter().u16(hasSessions() ? ST_SESSIONS : ST_NO_SESSIONS).u32(10 + body.size()).u32(code)
        .bytes(body.toByteArray()).toByteArray();
  }

  /** One entry of the authorization area: session handle, nonceCaller, attributes, hmac (or password). */
  private static void marshal(Session s, TpmWriter w) {
    if (s instanceof Session.Password p) {
      w.u32(Handles.RS_PW).tpm2b(new byte[0]).u8(0).tpm2b(p.value());
    } else {
      // continueSession (0x01): the caller flushes the session, so an error leaves nothing ambiguous behind.
      w.u32(((Session.Policy) s).handle()).tpm2b(new byte[0]).u8(0x01).tpm2b(new byte[0]);
    }
  }
}
