/**
 * Wire format version 1: one UTF-8 request line, one reply line, read with a hard bound on length.
 * {@link org.securecmd.protocol.ErrorCode} lists the stable error codes.
 */
package org.securecmd.protocol;
