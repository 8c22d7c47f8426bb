/**
 * Benchmark programs (not shipped, not tests): {@link org.securecmd.bench.JsseServer}, the bare JSSE
 * reference server of bench/run.sh, and {@link org.securecmd.bench.LoadGen}, the Java load generator that
 * shows a JSSE client's view (the figures of record come from the native bench/tlsload.c); the TPM ones,
 * each against swtpm: {@link org.securecmd.bench.QuoteBench} ({@code QUOTE} verifications per second),
 * {@link org.securecmd.bench.EnrollBench} (bench/enroll-bench.sh: the server work of an enrollment beside a
 * full handshake) and {@link org.securecmd.bench.AttestLatency} (bench/attest-latency.sh: what
 * {@code --attest} adds to one command).
 */
package org.securecmd.bench;
