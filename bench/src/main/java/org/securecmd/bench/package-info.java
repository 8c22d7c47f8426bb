/**
 * Benchmark programs run by bench/run.sh (not shipped, not tests): {@link org.securecmd.bench.JsseServer},
 * the bare JSSE reference server, and {@link org.securecmd.bench.LoadGen}, the Java load generator that
 * shows a JSSE client's view (the figures of record come from the native bench/tlsload.c).
 */
package org.securecmd.bench;
