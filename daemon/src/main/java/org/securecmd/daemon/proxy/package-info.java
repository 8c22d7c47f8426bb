/**
 * The PROXY protocol v2 header a TCP balancer (HAProxy's {@code send-proxy-v2}) sends before the TLS
 * ClientHello: bytes in, the device's own address out. A leaf: it knows nothing of TLS, sockets or config.
 */
package org.securecmd.daemon.proxy;
