package org.securecmd.daemon.enroll;

/**
 * The outcome of one {@code RENEW}: the reply text (the chain, leaf first, base64 DER separated by spaces),
 * or why it was refused.
 */
public record RenewalResult(String chain, RenewalRefusal refusal, String message) {
  static RenewalResult issued(String chain) {
    return new RenewalResult(chain, null, "");
  }

  static RenewalResult refused(RenewalRefusal refusal, String message) {
    return new RenewalResult(null, refusal, message);
  }

  public boolean isIssued() {
    return refusal == null;
  }
}
