package org.securecmd.daemon.auth;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The CN attributes of a certificate's subject, and whether they name the device unambiguously. A subject
 * with two CNs (or a CN inside a multi-valued RDN such as {@code CN=a+O=b}) could be allowed under one name
 * and served as another, so such a certificate is refused.
 *
 * @param problem why the CN is ambiguous, or empty when there is at most one plain string CN
 */
record SubjectName(List<String> commonNames, Optional<String> problem) {
  SubjectName {
    commonNames = List.copyOf(commonNames);
  }

  static SubjectName of(X509Certificate leaf) {
    LdapName name;
    try {
      name = new LdapName(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
    } catch (InvalidNameException e) {
      return new SubjectName(List.of(), Optional.of("certificate subject cannot be parsed"));
    }
    List<String> cns = new ArrayList<>();
    String problem = null;
    // LdapName lists RDNs right to left, so index 0 is the first RDN of the certificate's subject.
    for (Rdn rdn : name.getRdns()) {
      Attribute cn = rdn.toAttributes().get("CN");
      if (cn == null) continue;
      if (rdn.size() > 1 && problem == null) problem = "certificate subject has a multi-valued RDN holding a CN";
      try {
        NamingEnumeration<?> values = cn.getAll();
        while (values.hasMore()) {
          Object v = values.next();
          if (v instanceof String s) cns.add(s);
          else if (problem == null) problem = "certificate subject has a CN that is not a string";
        }
      } catch (NamingException e) {
        problem = "certificate subject cannot be parsed";
      }
    }
    if (problem == null && cns.size() > 1) problem = "certificate subject has more than one CN";
    return new SubjectName(cns, Optional.ofNullable(problem));
  }

  /** The first CN, or empty when there is none. */
  String first() {
    return commonNames.isEmpty() ? "" : commonNames.get(0);
  }
}
