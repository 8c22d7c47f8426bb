package org.securecmd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
  private static final Path FILE = Path.of("/etc/securecmd/config.toml");
  private static final String F = FILE.toString();
  /** Three lines that [attestation] needs before it (the files are not read by parse). */
  private static final String ENROLLMENT = "[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\n";
  /** [attestation] on lines 4 and 5, before its states. */
  private static final String ATTESTATION = ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\n";
  /** [attestation.states.golden] on line 6. */
  private static final String STATE = ATTESTATION + "[attestation.states.golden]\n";
  private static final String HEX = "\"" + "ab".repeat(32) + "\"";

  private static Arguments row(String toml, String message) {
    return Arguments.of(toml, message);
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        // tables
        row("[sever]\nlisten = \"0.0.0.0:5000\"",
            F + ":1: sever is not a known table; expected [server], [tls], [clients], [admin], [state], [metrics], [enrollment], [attestation] or [commands.NAME]"),
        // [attestation] (values checked before the EK CA bundle is read: no file is needed for these rows)
        row(ENROLLMENT + "[attestation]\nenroll = \"approve\"", F + ":4: [attestation] ek_ca the PEM bundle of the TPM manufacturers' EK CAs is required"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"\"", F + ":5: [attestation] ek_ca = \"\": the PEM bundle of the TPM manufacturers' EK CAs is required"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nenroll = \"any\"", F + ":6: [attestation] enroll = \"any\": expected \"registered\" or \"approve\""),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nenroll = true", F + ":6: [attestation] enroll = true: expected a string"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nstep_timeout = \"0s\"", F + ":6: [attestation] step_timeout = \"0s\": must be between 1s and 10m"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nstep_timeout = \"11m\"", F + ":6: [attestation] step_timeout = \"11m\": must be between 1s and 10m"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nstep_timeout = 60", F + ":6: [attestation] step_timeout = 60: expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nmax_enrollments_per_address = 0", F + ":6: [attestation] max_enrollments_per_address = 0: must be between 1 and 10000"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nmax_enrollments_per_address = \"4\"", F + ":6: [attestation] max_enrollments_per_address = \"4\": expected a whole number"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nmax_enrollments = 0", F + ":6: [attestation] max_enrollments = 0: must be between 1 and 100000"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nmax_enrollments_per_address = 8\nmax_enrollments = 4", F + ":7: [attestation] max_enrollments = 4: must be at least max_enrollments_per_address (8)"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"\nenroll_mode = \"approve\"", F + ":6: [attestation] enroll_mode is not a known key; expected one of ek_ca, enroll, step_timeout, max_enrollments_per_address, max_enrollments, on_mismatch, states"),
        row(ENROLLMENT + "[attestation]\nek_ca = \"/nonexistent/ek.pem\"", F + ":5: [attestation] ek_ca = \"/nonexistent/ek.pem\": cannot read the EK CA bundle: no such file"),
        row("[clients]\nauth = \"none\"\n" + ENROLLMENT + "[attestation]\nek_ca = \"ek.pem\"", F + ":6: [attestation] needs client certificates: an enrolled device authenticates with the certificate it gets, which [clients] auth = \"none\" never asks for; use \"required\" or \"optional\""),
        // [attestation] on_mismatch and [attestation.states.NAME] (read before the EK CA bundle: no file needed)
        row(ATTESTATION + "on_mismatch = \"kill\"", F + ":6: [attestation] on_mismatch = \"kill\": expected \"refuse\" or \"deny\""),
        row(ATTESTATION + "states = 1", F + ":6: [attestation] states = 1: expected a table ([attestation.states])"),
        row(ATTESTATION + "[attestation.states]\ngolden = 1", F + ":7: [attestation.states] golden = 1: expected a table ([attestation.states.golden])"),
        row(ATTESTATION + "[attestation.states.\"gold en\"]\npcrs = [0]", F + ":6: [attestation.states] gold en = {...}: a state name is 1-64 of A-Z, a-z, 0-9, _ and - (ATTESTED sends it)"),
        row(STATE + "pcrs = [0]\ncolour = 1", F + ":8: [attestation.states.golden] colour is not a known key; expected one of pcrs, allowed, max_age"),
        row(STATE + "allowed = []", F + ":6: [attestation.states.golden] pcrs the SHA-256 PCR indices this state looks at are required, e.g. [0, 2, 7]"),
        row(STATE + "pcrs = []", F + ":7: [attestation.states.golden] pcrs = []: needs at least one PCR (a state without PCRs would accept any device)"),
        row(STATE + "pcrs = [0, 24]", F + ":7: [attestation.states.golden] pcrs = [0,24]: PCR 24 is not 0-23"),
        row(STATE + "pcrs = [-1]", F + ":7: [attestation.states.golden] pcrs = [-1]: PCR -1 is not 0-23"),
        row(STATE + "pcrs = [7, 2, 7]", F + ":7: [attestation.states.golden] pcrs = [7,2,7]: PCR 7 is listed twice"),
        row(STATE + "pcrs = [\"0\"]", F + ":7: [attestation.states.golden] pcrs = [\"0\"]: expected an array of whole numbers"),
        row(STATE + "pcrs = 7", F + ":7: [attestation.states.golden] pcrs = 7: expected an array of whole numbers"),
        row(STATE + "pcrs = [0]\nmax_age = \"0s\"", F + ":8: [attestation.states.golden] max_age = \"0s\": must be between 1s and 7d"),
        row(STATE + "pcrs = [0]\nmax_age = \"8d\"", F + ":8: [attestation.states.golden] max_age = \"8d\": must be between 1s and 7d"),
        row(STATE + "pcrs = [0]\nmax_age = 600", F + ":8: [attestation.states.golden] max_age = 600: expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row(STATE + "pcrs = [0]\nallowed = \"x\"", F + ":8: [attestation.states.golden] allowed = \"x\": expected an array of tables"),
        row(STATE + "pcrs = [0]\nallowed = [1]", F + ":8: [attestation.states.golden] allowed = [1]: expected an array of tables"),
        row(STATE + "pcrs = [0]\nallowed = [{ \"0\" = \"zz\" }]", F + ":8: [attestation.states.golden.allowed[1]] 0 = \"zz\": expected 64 hex digits (a SHA-256 PCR value)"),
        row(STATE + "pcrs = [0]\nallowed = [{ \"0\" = \"" + "ab".repeat(31) + "a\" }]", F + ":8: [attestation.states.golden.allowed[1]] 0 = \"" + "ab".repeat(31) + "a\": expected 64 hex digits (a SHA-256 PCR value)"),
        row(STATE + "pcrs = [0]\nallowed = [{ \"0\" = 5 }]", F + ":8: [attestation.states.golden.allowed[1]] 0 = 5: expected a string"),
        row(STATE + "pcrs = [0]\nallowed = [{ \"1\" = HEX }]".replace("HEX", HEX), F + ":8: [attestation.states.golden.allowed[1]] 1 = HEX: is not one of this state's pcrs [0] (keys are PCR indices)".replace("HEX", HEX)),
        row(STATE + "pcrs = [0]\nallowed = [{ \"00\" = HEX }]".replace("HEX", HEX), F + ":8: [attestation.states.golden.allowed[1]] 00 = HEX: is not one of this state's pcrs [0] (keys are PCR indices)".replace("HEX", HEX)),
        row(STATE + "pcrs = [0, 7]\nallowed = [{ \"0\" = HEX, \"7\" = HEX }, { \"0\" = HEX }]".replace("HEX", HEX), F + ":8: [attestation.states.golden] allowed = [...]: value set 2 has no value for PCR 7; each value set gives every PCR of pcrs [0, 7]"),
        // require_state (a state that exists only in an [attestation] with a real EK CA bundle: AttestationSettingsTest)
        row("[commands.X]\nreply = \"a\"\nallow = [\"*\"]\nrequire_state = \"golden\"", F + ":4: [commands.X] require_state = \"golden\": needs [attestation] with [attestation.states.golden]"),
        row("[commands.X]\nreply = \"a\"\nrequire_state = \"gold en\"", F + ":3: [commands.X] require_state = \"gold en\": expected the name of an [attestation.states.NAME] table"),
        row("[commands.X]\nreply = \"a\"\nrequire_state = 1", F + ":3: [commands.X] require_state = 1: expected a string"),
        row("attestation = 1", F + ":1: attestation must be a table ([attestation])"),
        row("[attestation]\nek_ca = \"ek.pem\"", F + ":1: [attestation] needs [enrollment]: its CA issues the enrolled devices' certificates (with its validity, allow list and issuance records)"),
        // [enrollment]
        row("[enrollment]\nca_key = \"k.pem\"", F + ":1: [enrollment] ca_certificate the issuing CA's certificate file is required"),
        row("[enrollment]\nca_certificate = \"c.pem\"", F + ":1: [enrollment] ca_key the issuing CA's private key file (or ca_key_pkcs11_module) is required"),
        row("[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\nca_key_pkcs11_module = \"/m.so\"",
            F + ":3: [enrollment] ca_key = \"/etc/securecmd/k.pem\": give ca_key or ca_key_pkcs11_module, not both"),
        row("[enrollment]\nca_certificate = \"c.pem\"\nca_key_pkcs11_module = \"/m.so\"\nca_key_pin_file = \"pin\"",
            F + ":1: [enrollment] ca_key_pkcs11_token the token's label is required with ca_key_pkcs11_module"),
        row("[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\nca_key_label = \"x\"",
            F + ":4: [enrollment] ca_key_label needs ca_key_pkcs11_module"),
        row("[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\nvalidity = \"10m\"",
            F + ":4: [enrollment] validity = \"10m\": must be between 1h and 3650d"),
        row("[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\nrenew_before = 60",
            F + ":4: [enrollment] renew_before = 60: expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row("[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\nallow = [\" dev-*\"]",
            F + ":4: [enrollment] allow = \" dev-*\": patterns are non-empty, without spaces around or control characters"),
        row("[enrollment]\nca = \"c.pem\"", F + ":2: [enrollment] ca is not a known key; expected one of ca_certificate, ca_key, ca_key_pkcs11_module, ca_key_pkcs11_token, ca_key_label, ca_key_pin_file, validity, renew_before, allow, max_renewals"),
        // a key that is written but empty, or set without the key it needs, is named at its own line
        row("[enrollment]\n\nca_certificate = \"\"\nca_key = \"k.pem\"",
            F + ":3: [enrollment] ca_certificate the issuing CA's certificate file is required"),
        row("[enrollment]\nca_certificate = \"c.pem\"\nca_key_pkcs11_module = \"/m.so\"\nca_key_pkcs11_token = \"t\"\n\nca_key_pin_file = \"\"",
            F + ":6: [enrollment] ca_key_pin_file a file holding the token's user PIN is required"),
        row("[server]\n[commands.GET]\nallow = [\"*\"]\n\nreply_file = \"/srv/r/x\"\nreply = \"x\"",
            F + ":6: [commands.GET] reply exactly one of reply and reply_file is required"),
        row("[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\nmax_renewals = 0",
            F + ":4: [enrollment] max_renewals = 0: must be between 1 and 1000"),
        row("[commands.RENEW]\nreply = \"x\"", F + ":1: [commands.RENEW] is built in and cannot be configured"),
        row("server = \"x\"", F + ":1: server must be a table ([server])"),
        // unknown key in each table
        row("[server]\nlisen = \"0.0.0.0:5000\"", F + ":2: [server] lisen is not a known key; expected one of listen, handshake_timeout, idle_timeout, max_connections, max_line_bytes, max_requests_per_connection, shutdown_timeout, request_timeout, write_timeout, max_connection_age, max_connections_per_identity, max_handshakes_per_address, proxy_protocol"),
        row("[tls]\n\ncert = \"a.pem\"", F + ":3: [tls] cert is not a known key; expected one of certificate, private_key, protocols, session_timeout, session_cache_size"),
        row("[clients]\nallowed = [\"*\"]", F + ":2: [clients] allowed is not a known key; expected one of auth, ca, crl, allow, allow_anonymous"),
        row("[admin]\nsock = \"/run/x\"", F + ":2: [admin] sock is not a known key; expected one of socket, group"),
        row("[state]\ndir = \"/var/lib/x\"", F + ":2: [state] dir is not a known key; expected one of directory, backend, url, user, password_file"),
        row("[metrics]\nport = 5001", F + ":2: [metrics] port is not a known key; expected one of listen"),
        row("[metrics]\nlisten = \"5001\"", F + ":2: [metrics] listen = \"5001\": expected HOST:PORT, e.g."
            + " \"0.0.0.0:5000\" or \"[::1]:5000\" (or remove the key: no endpoint)"),
        row("[metrics]\nlisten = \"::1:5001\"", F + ":2: [metrics] listen = \"::1:5001\": an IPv6 address needs"
            + " brackets: \"[::1]:5000\" (or remove the key: no endpoint)"),
        row("[metrics]\nlisten = 5001", F + ":2: [metrics] listen = 5001: expected a string"),
        row("[commands.GET_SECRET]\nreply = \"x\"\nalow = [\"*\"]",
            F + ":3: [commands.GET_SECRET] alow is not a known key; expected one of reply, reply_file, encoding, allow, allow_anonymous, require_attested_key, require_state"),
        // wrong types
        row("[server]\nmax_connections = \"10\"", F + ":2: [server] max_connections = \"10\": expected a whole number"),
        row("[server]\nmax_connections = 1.5", F + ":2: [server] max_connections = 1.5: expected a whole number"),
        row("[server]\nidle_timeout = 300",
            F + ":2: [server] idle_timeout = 300: expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row("[server]\nlisten = [\"0.0.0.0:5000\"]", F + ":2: [server] listen = [\"0.0.0.0:5000\"]: expected a string"),
        row("[tls]\nprotocols = \"TLSv1.3\"", F + ":2: [tls] protocols = \"TLSv1.3\": expected an array of strings"),
        row("[tls]\nprotocols = [13]", F + ":2: [tls] protocols = [13]: expected an array of strings"),
        row("[clients]\nauth = true", F + ":2: [clients] auth = true: expected a string"),
        // values
        row("[clients]\nauth = \"requried\"",
            F + ":2: [clients] auth = \"requried\": expected \"required\", \"optional\" or \"none\""),
        row("[clients]\nauth = \"Required\"",
            F + ":2: [clients] auth = \"Required\": expected \"required\", \"optional\" or \"none\""),
        row("[server]\nidle_timeout = \"5 minutes\"",
            F + ":2: [server] idle_timeout = \"5 minutes\": expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row("[server]\nidle_timeout = \"5y\"",
            F + ":2: [server] idle_timeout = \"5y\": expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row("[server]\nhandshake_timeout = \"0s\"", F + ":2: [server] handshake_timeout = \"0s\": must be between 100ms and 5m"),
        row("[server]\nhandshake_timeout = \"6m\"", F + ":2: [server] handshake_timeout = \"6m\": must be between 100ms and 5m"),
        row("[server]\nidle_timeout = \"2d\"", F + ":2: [server] idle_timeout = \"2d\": must be between 100ms and 1d"),
        row("[server]\nshutdown_timeout = \"11m\"", F + ":2: [server] shutdown_timeout = \"11m\": must be between 0s and 10m"),
        row("[server]\nmax_line_bytes = \"4KB\"",
            F + ":2: [server] max_line_bytes = \"4KB\": expected a number of bytes, or a string with B, KiB, MiB or GiB (e.g. \"4KiB\")"),
        row("[server]\nmax_line_bytes = 15", F + ":2: [server] max_line_bytes = 15: must be between 16 and 1048576 bytes"),
        row("[server]\nmax_line_bytes = \"8B\"", F + ":2: [server] max_line_bytes = \"8B\": must be between 16 and 1048576 bytes"),
        row("[server]\nmax_line_bytes = \"2MiB\"", F + ":2: [server] max_line_bytes = \"2MiB\": must be between 16 and 1048576 bytes"),
        row("[server]\nmax_line_bytes = true", F + ":2: [server] max_line_bytes = true: expected a number of bytes, or a string with B, KiB, MiB or GiB (e.g. \"4KiB\")"),
        row("[server]\nmax_connections = 0", F + ":2: [server] max_connections = 0: must be between 1 and 1000000"),
        row("[server]\nrequest_timeout = \"50ms\"", F + ":2: [server] request_timeout = \"50ms\": must be between 100ms and 10m"),
        row("[server]\nrequest_timeout = 10",
            F + ":2: [server] request_timeout = 10: expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row("[server]\nwrite_timeout = \"11m\"", F + ":2: [server] write_timeout = \"11m\": must be between 100ms and 10m"),
        row("[server]\nwrite_timeout = \"ten seconds\"",
            F + ":2: [server] write_timeout = \"ten seconds\": expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row("[server]\nmax_connection_age = \"500ms\"", F + ":2: [server] max_connection_age = \"500ms\": must be between 1s and 365d"),
        row("[server]\nmax_connection_age = \"400d\"", F + ":2: [server] max_connection_age = \"400d\": must be between 1s and 365d"),
        row("[server]\nmax_connections_per_identity = 0",
            F + ":2: [server] max_connections_per_identity = 0: must be between 1 and 1000000"),
        row("[server]\nmax_connections_per_identity = \"16\"",
            F + ":2: [server] max_connections_per_identity = \"16\": expected a whole number"),
        row("[server]\nmax_handshakes_per_address = -5",
            F + ":2: [server] max_handshakes_per_address = -5: must be between 1 and 1000000"),
        row("[server]\nmax_handshakes_per_address = 2.5",
            F + ":2: [server] max_handshakes_per_address = 2.5: expected a whole number"),
        row("[server]\nmax_requests_per_connection = -1",
            F + ":2: [server] max_requests_per_connection = -1: must be between 1 and 1000000000"),
        row("[server]\nlisten = \"0.0.0.0\"",
            F + ":2: [server] listen = \"0.0.0.0\": expected HOST:PORT, e.g. \"0.0.0.0:5000\" or \"[::1]:5000\""),
        row("[server]\nlisten = \"::1:5000\"", F + ":2: [server] listen = \"::1:5000\": an IPv6 address needs brackets: \"[::1]:5000\""),
        row("[server]\nlisten = \"0.0.0.0:65536\"", F + ":2: [server] listen = \"0.0.0.0:65536\": port must be 0..65535"),
        row("[tls]\nprotocols = []", F + ":2: [tls] protocols = []: at least one protocol is required: \"TLSv1.3\""),
        row("[tls]\nprotocols = [\"TLSv1.3\", \"TLSv1.1\"]", F + ":2: [tls] protocols = \"TLSv1.1\": expected \"TLSv1.3\" or \"TLSv1.2\""),
        row("[tls]\nprotocols = [\"tlsv1.3\"]", F + ":2: [tls] protocols = \"tlsv1.3\": expected \"TLSv1.3\" or \"TLSv1.2\""),
        row("[tls]\ncertificate = \"\"", F + ":2: [tls] certificate = \"\": a certificate file is required"),
        row("[tls]\nprivate_key = \"\"", F + ":2: [tls] private_key = \"\": a private key file is required"),
        row("[clients]\nauth = \"required\"\nca = \"\"",
            F + ":3: [clients] ca = \"\": a client CA file is required when auth = \"required\" (there is no fallback to system CAs)"),
        row("[clients]\nauth = \"optional\"\nca = \"\"",
            F + ":3: [clients] ca = \"\": a client CA file is required when auth = \"optional\" (there is no fallback to system CAs)"),
        row("[clients]\nallow = [\"device-*\", \" device-1\"]",
            F + ":2: [clients] allow = \" device-1\": patterns are non-empty, without spaces around or control characters"),
        row("[clients]\nallow = [\"device-1 \"]",
            F + ":2: [clients] allow = \"device-1 \": patterns are non-empty, without spaces around or control characters"),
        row("[clients]\nallow = [\"\"]",
            F + ":2: [clients] allow = \"\": patterns are non-empty, without spaces around or control characters"),
        row("[clients]\nallow = [\"a\\tb\"]",
            F + ":2: [clients] allow = \"a\tb\": patterns are non-empty, without spaces around or control characters"),
        row("[admin]\ngroup = \"Admins\"", F + ":2: [admin] group = \"Admins\": is not a valid group name"),
        row("[admin]\nsocket = \"\"", F + ":2: [admin] socket = \"\": an admin socket path is required"),
        row("[state]\ndirectory = \"\"", F + ":2: [state] directory = \"\": a state directory is required"),
        // commands
        row("[commands.get_secret]\nreply = \"x\"",
            F + ":1: [commands.get_secret] is not a valid verb: use A-Z, 0-9 and _, starting with a letter"),
        row("[commands.1ST]\nreply = \"x\"",
            F + ":1: [commands.1ST] is not a valid verb: use A-Z, 0-9 and _, starting with a letter"),
        row("[commands.GET-SECRET]\nreply = \"x\"",
            F + ":1: [commands.GET-SECRET] is not a valid verb: use A-Z, 0-9 and _, starting with a letter"),
        row("[commands.A" + "B".repeat(64) + "]\nreply = \"x\"",
            F + ":1: [commands.A" + "B".repeat(64) + "] is not a valid verb: use A-Z, 0-9 and _, starting with a letter"),
        row("[commands.PING]\nreply = \"PONG\"", F + ":1: [commands.PING] is built in and cannot be configured"),
        row("[commands.WHOAMI]\nreply = \"me\"", F + ":1: [commands.WHOAMI] is built in and cannot be configured"),
        row("[commands]\nGET = \"x\"", F + ":2: [commands.GET] must be a table"),
        row("\n[commands.GET]\nreply = \"x\"\nreply_file = \"/x\"",
            F + ":3: [commands.GET] reply exactly one of reply and reply_file is required"),
        row("\n\n[commands.GET]\nallow = [\"*\"]", F + ":3: [commands.GET] reply exactly one of reply and reply_file is required"),
        row("[commands.GET]\nreply = \"line1\\nline2\"",
            F + ":2: [commands.GET] reply = (hidden): contains a line break or NUL, which would break the protocol's framing; use encoding = \"base64\""),
        row("[commands.GET]\nreply = \"\"\"\nSECRET_ONE\nSECRET_TWO\"\"\"",
            F + ":2: [commands.GET] reply = (hidden): contains a line break or NUL, which would break the protocol's framing; use encoding = \"base64\""),
        row("[commands.GET]\nreply = \"SECRET\\r\"",
            F + ":2: [commands.GET] reply = (hidden): contains a line break or NUL, which would break the protocol's framing; use encoding = \"base64\""),
        row("[commands.GET]\nreply = \"SECRET\\u0000\"",
            F + ":2: [commands.GET] reply = (hidden): contains a line break or NUL, which would break the protocol's framing; use encoding = \"base64\""),
        row("[commands.GET]\nreply = \"ERR SECRET\"",
            F + ":2: [commands.GET] reply = (hidden): must not start with \"ERR \", which clients read as an error"),
        row("[commands.GET]\nreply = 123456", F + ":2: [commands.GET] reply = (hidden): expected a string"),
        row("[commands.GET]\nreply = [\"x\"]", F + ":2: [commands.GET] reply = (hidden): expected a string"),
        row("[server]\nlisten = \"[]:5000\"",
            F + ":2: [server] listen = \"[]:5000\": expected HOST:PORT, e.g. \"0.0.0.0:5000\" or \"[::1]:5000\""),
        row("[commands.GET]\nreply = \"ERR\"",
            F + ":2: [commands.GET] reply = (hidden): must not start with \"ERR \", which clients read as an error"),
        row("[commands.GET]\nreply_file = \"/etc/securecmd/secrets/{device}\"",
            F + ":2: [commands.GET] reply_file = \"/etc/securecmd/secrets/{device}\": the only placeholder is {client}"),
        row("[commands.GET]\nreply_file = \"/s/{client}}\"",
            F + ":2: [commands.GET] reply_file = \"/s/{client}}\": the only placeholder is {client}"),
        row("[commands.GET]\nreply_file = \"\"", F + ":2: [commands.GET] reply_file = \"\": is empty"),
        row("[commands.GET]\nreply = \"x\"\nencoding = \"hex\"", F + ":3: [commands.GET] encoding = \"hex\": expected \"plain\" or \"base64\""),
        row("[commands.GET]\nreply = \"x\"\nencoding = \"BASE64\"",
            F + ":3: [commands.GET] encoding = \"BASE64\": expected \"plain\" or \"base64\""),
        row("[commands.GET]\nreply = \"x\"\nallow = [\"device 1 \"]",
            F + ":3: [commands.GET] allow = \"device 1 \": patterns are non-empty, without spaces around or control characters"),
        row("[commands.GET]\nreply = \"x\"\nallow = \"*\"", F + ":3: [commands.GET] allow = \"*\": expected an array of strings"),
        // [tls] session_timeout, allow_anonymous
        row("[tls]\nsession_timeout = \"0s\"", F + ":2: [tls] session_timeout = \"0s\": must be between 1s and 7d"),
        row("[tls]\nsession_timeout = \"8d\"", F + ":2: [tls] session_timeout = \"8d\": must be between 1s and 7d"),
        row("[tls]\nsession_cache_size = 0", F + ":2: [tls] session_cache_size = 0: must be between 1 and 10000000"),
        row("[tls]\nsession_timeout = 3600",
            F + ":2: [tls] session_timeout = 3600: expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")"),
        row("[clients]\nallow_anonymous = \"yes\"", F + ":2: [clients] allow_anonymous = \"yes\": expected true or false"),
        row("[commands.GET]\nreply = \"x\"\nallow_anonymous = 1", F + ":3: [commands.GET] allow_anonymous = 1: expected true or false"),
        // a reply_file template must not let a device's name pick one of the daemon's own files
        row("[commands.GET]\nreply_file = \"/etc/securecmd/{client}\"",
            F + ":2: [commands.GET] reply_file = \"/etc/securecmd/{client}\": a device's name picks a file in /etc/securecmd, "
                + "which also holds the daemon's own files (the configuration file /etc/securecmd/config.toml); keep device "
                + "replies in a directory of their own, e.g. /etc/securecmd/replies/{client}"),
        row("[commands.GET]\nreply_file = \"{client}.txt\"",
            F + ":2: [commands.GET] reply_file = \"{client}.txt\": a device's name picks a file in /etc/securecmd, "
                + "which also holds the daemon's own files (the configuration file /etc/securecmd/config.toml); keep device "
                + "replies in a directory of their own, e.g. /etc/securecmd/replies/{client}"),
        row("[commands.GET]\nreply_file = \"/etc/{client}/server.key\"",
            F + ":2: [commands.GET] reply_file = \"/etc/{client}/server.key\": a device's name picks a file in /etc, "
                + "which also holds the daemon's own files (the configuration file /etc/securecmd/config.toml); keep device "
                + "replies in a directory of their own, e.g. /etc/replies/{client}"),
        row("[tls]\nprivate_key = \"/srv/keys/server.key\"\n[commands.GET]\nreply_file = \"/srv/keys/{client}\"",
            F + ":4: [commands.GET] reply_file = \"/srv/keys/{client}\": a device's name picks a file in /srv/keys, "
                + "which also holds the daemon's own files ([tls] private_key /srv/keys/server.key); keep device "
                + "replies in a directory of their own, e.g. /srv/keys/replies/{client}"),
        row("[clients]\ncrl = \"/srv/pki/crl.pem\"\n[commands.GET]\nreply_file = \"/srv/pki/{client}.pem\"",
            F + ":4: [commands.GET] reply_file = \"/srv/pki/{client}.pem\": a device's name picks a file in /srv/pki, "
                + "which also holds the daemon's own files ([clients] crl /srv/pki/crl.pem); keep device "
                + "replies in a directory of their own, e.g. /srv/pki/replies/{client}"),
        row("[commands.GET]\nreply_file = \"/var/lib/securecmd/{client}\"",
            F + ":2: [commands.GET] reply_file = \"/var/lib/securecmd/{client}\": a device's name picks a file in "
                + "/var/lib/securecmd, which also holds the daemon's own files ([state] directory /var/lib/securecmd); keep "
                + "device replies in a directory of their own, e.g. /var/lib/securecmd/replies/{client}"),
        row("[commands.GET]\nreply_file = \"/var/lib/securecmd/secrets/{client}\"",
            F + ":2: [commands.GET] reply_file = \"/var/lib/securecmd/secrets/{client}\": a device's name picks a file in "
                + "/var/lib/securecmd/secrets, which also holds the daemon's own files ([state] directory "
                + "/var/lib/securecmd); keep device replies in a directory of their own, e.g. "
                + "/var/lib/securecmd/secrets/replies/{client}"),
        row("[commands.GET]\nreply_file = \"/etc/securecmd/server.key\"",
            F + ":2: [commands.GET] reply_file = \"/etc/securecmd/server.key\": is the daemon's own file ([tls] private_key); "
                + "it must not be sent to devices"),
        // [server] proxy_protocol: CIDRs, each checked
        row("[server]\nproxy_protocol = \"10.0.0.10/32\"", F + ":2: [server] proxy_protocol = \"10.0.0.10/32\": expected an array of strings"),
        row("[server]\n\nproxy_protocol = [\"10.0.0.10/32\", \"haproxy.example\"]",
            F + ":3: [server] proxy_protocol = \"haproxy.example\": expected an IP address with an optional /prefix, e.g. \"10.0.0.10/32\" or \"fd00::/64\""),
        row("[server]\nproxy_protocol = [\"10.0.0.10/33\"]",
            F + ":2: [server] proxy_protocol = \"10.0.0.10/33\": the prefix must be 0..32 for an IPv4 address"),
        row("[server]\nproxy_protocol = [\"10.0.0.10/24\"]",
            F + ":2: [server] proxy_protocol = \"10.0.0.10/24\": has bits set after the /24 prefix; did you mean \"10.0.0.0/24\"?"),
        row("[server]\nproxy_protocol = [\"fd00::1/64\"]",
            F + ":2: [server] proxy_protocol = \"fd00::1/64\": has bits set after the /64 prefix; did you mean \"fd00::/64\"?"),
        row("[server]\nproxy_protocol = [1]", F + ":2: [server] proxy_protocol = [1]: expected an array of strings"),
        // TOML syntax: the line of the error
        row("[server]\nlisten = \"0.0.0.0:5000\"\nidle_timeout = 5m\n",
            F + ":3: TOML syntax error: Unexpected text at column 17, expected a newline or end-of-input"),
        row("[commands.GET]\nreply = 12 34\n",
            F + ":2: TOML syntax error: Unexpected text at column 12, expected a newline or end-of-input"),
        row("[commands.GET]\nreply = \"SECRET\" trailing\n",
            F + ":2: TOML syntax error: Unexpected text at column 18, expected a newline or end-of-input"),
        row("[server\n", F + ":1: TOML syntax error: Unexpected end of line, expected ]"),
        row("[server]\nx = 1\nx = 2\n", F + ":3: TOML syntax error: x previously defined at line 2, column 1"),
        row("[server]\nlisten = \"a\"\nlisten = \"b\"\n", F + ":3: TOML syntax error: "));
  }

  /** Rows ending in "TOML syntax error: " are prefixes: the rest is the TOML parser's wording. */
  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badConfigs")
  void badConfigIsRefusedNamingFileLineKeyAndValue(String toml, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE, toml));
    if (message.endsWith("TOML syntax error: ")) {
      assertEquals(message, e.getMessage().substring(0, Math.min(message.length(), e.getMessage().length())),
          e.getMessage());
    } else {
      assertEquals(message, e.getMessage());
    }
    assertEquals(FILE, e.file());
  }

  static Stream<Arguments> secretsInBrokenReplies() {
    return Stream.of(
        Arguments.of("[commands.GET]\nreply = \"TOPSECRET\\q\"\n"),
        Arguments.of("[commands.GET]\nreply = TOPSECRET\n"),
        Arguments.of("[commands.GET]\nreply = \"TOPSECRET\n"),
        Arguments.of("[commands.GET]\nreply = \"TOPSECRET\\nmore\"\n"),
        Arguments.of("[commands.GET]\nreply = \"ERR TOPSECRET\"\n"),
        Arguments.of("[commands.GET]\nreply = \"TOPSECRET\"\nreply_file = \"/x\"\n"),
        Arguments.of("[commands.GET]\nreply = 778899TOPSECRET\n"),
        Arguments.of("[commands.GET]\nreply = [\"TOPSECRET\"]\n"),
        Arguments.of("[commands.GET]\nreply = { v = \"TOPSECRET\" }\n"),
        Arguments.of("[commands.GET]\nreply = 0x70P5EC3E7\n"),
        Arguments.of("[commands.GET]\nreply = 1979-05-27TOPSECRET\n"),
        Arguments.of("[commands.GET]\nreply = \"x\" TOPSECRET\n"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("secretsInBrokenReplies")
  void aRefusedReplyNeverEchoesTheSecret(String toml) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE, toml));
    assertFalse(e.getMessage().contains("TOPSECRET"), e.getMessage());
  }

  @Test
  void theShippedConfigParsesWithEveryDefaultAsDocumented() throws Exception {
    Path shipped = Path.of("../etc/config.toml");
    Config c = ConfigLoader.parse(FILE, Files.readString(shipped, StandardCharsets.UTF_8));
    assertDocumentedDefaults(c);
    assertEquals(Map.of("GET_SECRET", new CommandSettings("GET_SECRET",
        new ReplySource.Static("THIS_IS_THE_SECRET"), ReplyEncoding.PLAIN, List.of("*"))), c.commands());
    assertEquals(List.of("*"), c.clients().allow());
    assertEquals(false, c.commands().get("GET_SECRET").allowAnonymous(), "the shipped \"*\" admits no anonymous client");
  }

  @Test
  void replyFilesInADirectoryOfTheirOwnAndAnonymousFlagsLoad() throws Exception {
    Config c = ConfigLoader.parse(FILE, """
        [tls]
        session_timeout = "10m"
        [clients]
        auth = "optional"
        allow_anonymous = true
        [commands.GET_SECRET]
        reply_file = "/etc/securecmd/secrets/{client}"
        allow = ["device-*"]
        [commands.PUBLIC]
        reply_file = "/etc/securecmd/public.txt"
        allow_anonymous = true
        [commands.NORMALISED]
        reply_file = "secrets/{client}/../plain.txt"
        """);
    assertEquals(Duration.ofMinutes(10), c.tls().sessionTimeout());
    assertEquals(true, c.clients().allowAnonymous());
    assertEquals(false, c.commands().get("GET_SECRET").allowAnonymous());
    assertEquals(true, c.commands().get("PUBLIC").allowAnonymous());
    assertEquals(new ReplySource.Template("/etc/securecmd/secrets/{client}"), c.commands().get("GET_SECRET").reply());
    assertEquals(new ReplySource.File(Path.of("/etc/securecmd/public.txt")), c.commands().get("PUBLIC").reply());
    assertEquals(new ReplySource.File(Path.of("/etc/securecmd/secrets/plain.txt")), c.commands().get("NORMALISED").reply(),
        "a relative path is normalised: its {client} can go away, leaving one plain file");
  }

  @Test
  void aReplyDirectoryThatIsALinkToTheConfigDirectoryIsRefused(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path conf = Files.createDirectory(dir.resolve("conf"));
    Files.createSymbolicLink(dir.resolve("replies"), conf);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(conf.resolve("config.toml"),
        "[commands.GET]\nreply_file = \"" + dir.resolve("replies") + "/{client}\"\n"));
    assertTrue(e.getMessage().contains("which also holds the daemon's own files (the configuration file "
        + conf.resolve("config.toml") + ")"), e.getMessage());
  }

  @Test
  void anEmptyConfigTakesEveryDefaultAndAllowsNobody() throws Exception {
    Config c = ConfigLoader.parse(FILE, "");
    assertDocumentedDefaults(c);
    assertEquals(Map.of(), c.commands());
    assertEquals(List.of(), c.clients().allow());
  }

  private static void assertDocumentedDefaults(Config c) {
    assertEquals(new ListenAddress("0.0.0.0", 5000), c.server().listen());
    assertEquals(Duration.ofSeconds(10), c.server().handshakeTimeout());
    assertEquals(Duration.ofMinutes(5), c.server().idleTimeout());
    assertEquals(10_000, c.server().maxConnections());
    assertEquals(1024, c.server().maxLineBytes());
    assertEquals(1000, c.server().maxRequestsPerConnection());
    assertEquals(Duration.ofSeconds(10), c.server().shutdownTimeout());
    assertEquals(Duration.ofSeconds(10), c.server().requestTimeout());
    assertEquals(Duration.ofSeconds(10), c.server().writeTimeout());
    assertEquals(Duration.ofHours(24), c.server().maxConnectionAge());
    assertEquals(16, c.server().maxConnectionsPerIdentity());
    assertEquals(64, c.server().maxHandshakesPerAddress());
    assertEquals(List.of(), c.server().proxyProtocol());
    assertEquals(Path.of("/etc/securecmd/server.crt"), c.tls().certificate());
    assertEquals(Path.of("/etc/securecmd/server.key"), c.tls().privateKey());
    assertEquals(List.of("TLSv1.3"), c.tls().protocols());
    assertEquals(Duration.ofHours(1), c.tls().sessionTimeout());
    assertEquals(false, c.clients().allowAnonymous());
    assertEquals(ClientAuthMode.REQUIRED, c.clients().auth());
    assertEquals(Optional.of(Path.of("/etc/securecmd/client_ca.pem")), c.clients().ca());
    assertEquals(Optional.empty(), c.clients().crl());
    assertEquals(Path.of("/run/securecmd/admin.sock"), c.admin().socket());
    assertEquals("securecmd-admin", c.admin().group());
    assertEquals(Path.of("/var/lib/securecmd"), c.state().directory());
    assertEquals(Optional.empty(), c.enrollment(), "renewal is off without [enrollment]");
    assertEquals(Optional.empty(), c.metrics().listen());
    assertEquals(FILE, c.file());
  }

  @Test
  void enrollmentTakesItsDocumentedDefaultsAndAllowsNobody() throws Exception {
    Config c = ConfigLoader.parse(FILE, "[enrollment]\nca_certificate = \"issuing/ca.crt\"\nca_key = \"issuing/ca.key\"\n");
    assertEquals(Optional.of(new EnrollmentSettings(Path.of("/etc/securecmd/issuing/ca.crt"),
        Optional.of(Path.of("/etc/securecmd/issuing/ca.key")), Optional.empty(), Duration.ofDays(365), Duration.ofDays(60),
        List.of(), EnrollmentSettings.DEFAULT_MAX_RENEWALS)), c.enrollment());
  }

  @Test
  void metricsListenTakesAnAddressAndIsOffWhenEmptyOrAbsent() throws Exception {
    assertEquals(Optional.of(new ListenAddress("127.0.0.1", 5001)),
        ConfigLoader.parse(FILE, "[metrics]\nlisten = \"127.0.0.1:5001\"\n").metrics().listen());
    assertEquals(Optional.of(new ListenAddress("::1", 5001)),
        ConfigLoader.parse(FILE, "[metrics]\nlisten = \"[::1]:5001\"\n").metrics().listen());
    assertEquals(Optional.empty(), ConfigLoader.parse(FILE, "[metrics]\nlisten = \"\"\n").metrics().listen());
    assertEquals(Optional.empty(), ConfigLoader.parse(FILE, "[metrics]\n").metrics().listen());
  }

  @Test
  void relativePathsResolveAgainstTheConfigDirectory() throws Exception {
    Path file = Path.of("/srv/demo/conf/config.toml");
    Config c = ConfigLoader.parse(file, """
        [tls]
        certificate = "server.crt"
        private_key = "../keys/server.key"
        [clients]
        ca = "./ca/client_ca.pem"
        crl = "/abs/client.crl"
        [admin]
        socket = "run/admin.sock"
        [state]
        directory = "state"
        [commands.GET_SECRET]
        reply_file = "secrets/{client}"
        """);
    assertEquals(Path.of("/srv/demo/conf/server.crt"), c.tls().certificate());
    assertEquals(Path.of("/srv/demo/keys/server.key"), c.tls().privateKey());
    assertEquals(Optional.of(Path.of("/srv/demo/conf/ca/client_ca.pem")), c.clients().ca());
    assertEquals(Optional.of(Path.of("/abs/client.crl")), c.clients().crl());
    assertEquals(Path.of("/srv/demo/conf/run/admin.sock"), c.admin().socket());
    assertEquals(Path.of("/srv/demo/conf/state"), c.state().directory());
    assertEquals(new ReplySource.Template("/srv/demo/conf/secrets/{client}"), c.commands().get("GET_SECRET").reply());
    assertEquals(List.of(), c.commands().get("GET_SECRET").allow());
  }

  @Test
  void base64EncodingEncodesAStaticReplyOnceAtLoad() throws Exception {
    Config c = ConfigLoader.parse(FILE, """
        [commands.GET_CERT]
        reply = \"""
        line one
        line two\"""
        encoding = "base64"
        allow = ["device-*"]
        """);
    CommandSettings cmd = c.commands().get("GET_CERT");
    assertEquals(ReplyEncoding.BASE64, cmd.encoding());
    assertEquals(new ReplySource.Static(Base64.getEncoder().encodeToString(
        "line one\nline two".getBytes(StandardCharsets.UTF_8))), cmd.reply());
    assertEquals(new ReplySource.Static("bGluZSBvbmUKbGluZSB0d28="), cmd.reply());
    assertEquals(List.of("device-*"), cmd.allow());
  }

  @Test
  void authNoneNeedsNoCaAndOptionalKeepsTheDefaultCa() throws Exception {
    Config none = ConfigLoader.parse(FILE, "[clients]\nauth = \"none\"\n");
    assertEquals(ClientAuthMode.NONE, none.clients().auth());
    assertEquals(Optional.empty(), none.clients().ca());
    Config optional = ConfigLoader.parse(FILE, "[clients]\nauth = \"optional\"\n");
    assertEquals(Optional.of(Path.of("/etc/securecmd/client_ca.pem")), optional.clients().ca());
  }

  @Test
  void sizesAndDurationsAcceptTheirWrittenForms() throws Exception {
    Config c = ConfigLoader.parse(FILE, """
        [server]
        max_line_bytes = "4KiB"
        idle_timeout = "1d"
        handshake_timeout = "100ms"
        shutdown_timeout = "0s"
        request_timeout = "250ms"
        write_timeout = "2m"
        max_connection_age = "365d"
        max_connections_per_identity = 1
        max_handshakes_per_address = 1000000
        listen = "[::1]:6000"
        [tls]
        protocols = ["TLSv1.3", "TLSv1.2"]
        """);
    assertEquals(4096, c.server().maxLineBytes());
    assertEquals(Duration.ofDays(1), c.server().idleTimeout());
    assertEquals(Duration.ofMillis(100), c.server().handshakeTimeout());
    assertEquals(Duration.ZERO, c.server().shutdownTimeout());
    assertEquals(Duration.ofMillis(250), c.server().requestTimeout());
    assertEquals(Duration.ofMinutes(2), c.server().writeTimeout());
    assertEquals(Duration.ofDays(365), c.server().maxConnectionAge());
    assertEquals(1, c.server().maxConnectionsPerIdentity());
    assertEquals(1_000_000, c.server().maxHandshakesPerAddress());
    assertEquals(new ListenAddress("::1", 6000), c.server().listen());
    assertEquals(List.of("TLSv1.3", "TLSv1.2"), c.tls().protocols());
  }

  @Test
  void originsRememberTheLineOfEachKeyRead() throws Exception {
    Config c = ConfigLoader.parse(FILE, "[tls]\ncertificate = \"a.crt\"\n\nprivate_key = \"a.key\"\n");
    assertEquals(F + ":4: [tls] private_key = \"/etc/securecmd/a.key\": is world-readable",
        c.origins().error("tls", "private_key", "/etc/securecmd/a.key", "is world-readable").getMessage());
    assertEquals(F + ": [state] directory = \"/x\": missing",
        c.origins().error("state", "directory", "/x", "missing").getMessage());
  }
}
