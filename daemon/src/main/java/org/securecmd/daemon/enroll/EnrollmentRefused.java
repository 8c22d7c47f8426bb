package org.securecmd.daemon.enroll;

import org.securecmd.protocol.ErrorCode;

/**
 * A refused enrollment step ({@code ENROLL}, {@code ENROLL-PROOF}, an attested {@code RENEW}): the reply's code
 * and text ({@code ERR <code> <text>}), and the metric label of its reason.
 */
public final class EnrollmentRefused extends Exception {
  private final ErrorCode code;
  private final String label;

  EnrollmentRefused(ErrorCode code, String label, String text) {
    super(text);
    this.code = code;
    this.label = label;
  }

  public ErrorCode code() {
    return code;
  }

  /** The reason as metrics count it: a small fixed vocabulary (see docs/metrics.md). */
  public String label() {
    return label;
  }

  /** The reply text. */
  public String text() {
    return getMessage();
  }
}
