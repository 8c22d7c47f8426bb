package org.securecmd.daemon.proxy;

/** A header that is not a valid PROXY v2 header; the message says what is wrong, {@link #reason()} the class. */
public final class ProxyHeaderException extends Exception {
  private final Reason reason;

  public ProxyHeaderException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** A small fixed set, used as the label of {@code securecmd_proxy_header_refused_total{reason}}. */
  public enum Reason {
    /** The bytes do not start with the v2 signature (e.g. a TLS ClientHello: the balancer sends no header). */
    MISSING("missing"),
    /** A v1 (text) header, a UNIX or datagram address: valid PROXY, but not what a TCP balancer should send. */
    UNSUPPORTED("unsupported"),
    /** Signature right, the rest wrong (version, command, family, lengths, TLVs, checksum). */
    MALFORMED("malformed"),
    /** The stream ended inside the header. */
    TRUNCATED("truncated");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
