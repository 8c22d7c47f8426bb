/**
 * A small certificate authority for a securecmd fleet: a CA directory (key, certificate, an append-only
 * index of issued serials), server and device certificates, CSR checks, revocation and CRLs. Everything
 * it writes is plain PEM that openssl reads.
 */
package org.securecmd.pki;
