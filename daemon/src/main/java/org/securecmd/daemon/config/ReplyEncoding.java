package org.securecmd.daemon.config;

/** How a configured value travels: as one line of text, or base64 (for multi-line or binary values). */
public enum ReplyEncoding {
  PLAIN, BASE64
}
