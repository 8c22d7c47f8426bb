/**
 * The securecmd device side: wire protocol, TLS material, and the client library. JDK only, Java 17+,
 * so a board's JRE can run it. The command-line tool ({@code org.securecmd.client.cli}) is not API.
 */
module org.securecmd.client {
  exports org.securecmd.protocol;
  exports org.securecmd.tls;
  exports org.securecmd.client;
}
