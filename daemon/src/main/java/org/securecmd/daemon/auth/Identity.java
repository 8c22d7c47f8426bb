package org.securecmd.daemon.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A device as its certificate names it: subject CN, SAN DNS names and URIs, and the serial number.
 * A client without a certificate (allowed only when auth is "optional" or "none") is {@link #ANONYMOUS}.
 *
 * @param serial lower-case hex without leading zeros, or empty for anonymous
 * @param subjectProblem why the certificate's subject names it ambiguously (several CNs, a CN in a
 *     multi-valued RDN), empty when it does not: parsed once with the rest, since {@link AccessPolicy} asks on
 *     every request and the subject's parse showed in profiles of the request path
 */
public record Identity(String commonName, List<String> dnsNames, List<String> uris, String serial,
                       Optional<String> subjectProblem) {
  public static final Identity ANONYMOUS = new Identity("", List.of(), List.of(), "");

  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  public Identity {
    dnsNames = List.copyOf(dnsNames);
    uris = List.copyOf(uris);
    subjectProblem = subjectProblem == null ? Optional.empty() : subjectProblem;
  }

  /** An identity whose subject is unambiguous. */
  public Identity(String commonName, List<String> dnsNames, List<String> uris, String serial) {
    this(commonName, dnsNames, uris, serial, Optional.empty());
  }

  public static Identity of(X509Certificate leaf) {
    List<String> dns = new ArrayList<>();
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          if (type == SAN_DNS) dns.add((String) san.get(1));
          if (type == SAN_URI) uris.add((String) san.get(1));
        }
      }
    } catch (CertificateParsingException e) {
      // a certificate whose SANs do not parse still has a CN; it just has no SAN names
    }
    // A subject with several CNs is refused by AccessPolicy; the first one only names it in the logs.
    SubjectName subject = SubjectName.of(leaf);
    return new Identity(subject.first(), dns, uris, leaf.getSerialNumber().toString(16).toLowerCase(Locale.ROOT),
        subject.problem());
  }

  public boolean isAnonymous() {
    return serial.isEmpty();
  }

  /** Every name patterns are matched against: CN, DNS names, URIs. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    if (!commonName.isEmpty()) out.add(commonName);
    out.addAll(dnsNames);
    out.addAll(uris);
    return out;
  }

  /**
   * The one name for logs and replies: the CN, else the first SAN, else "anonymous". {@code {client}} in a
   * {@code reply_file} is the CN alone ({@link #commonName()}), never a SAN.
   */
  public String displayName() {
    if (isAnonymous()) return "anonymous";
    List<String> names = names();
    return names.isEmpty() ? "serial:" + serial : names.get(0);
  }
}
