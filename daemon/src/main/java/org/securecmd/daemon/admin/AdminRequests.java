package org.securecmd.daemon.admin;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.securecmd.daemon.audit.Metrics;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;
import org.securecmd.daemon.server.ConnectionInfo;
import org.securecmd.daemon.server.Generation;
import org.securecmd.daemon.server.Server;
import org.securecmd.daemon.state.StateStore;
import org.securecmd.daemon.state.IssuanceLog;

/**
 * Answers one admin request line with one JSON object: {@code {"ok":true,...}} or
 * {@code {"ok":false,"error":"CODE","message":"..."}}. The requests and their fields are listed in
 * {@code docs/protocol.md} ("Admin protocol"); {@link AdminError} lists the codes.
 */
public final class AdminRequests {
  private final String version;
  private final Instant startedAt;
  private final Clock clock;
  private final Supplier<Generation> current;
  private final Server server;
  private final Metrics metrics;
  private final Reloader reloader;
  private final Revocations revocations;
  private final IssuanceLog issued;
  private final EnrollmentRequests enrollments;
  private final AttestRequests attest;

  public AdminRequests(String version, Clock clock, Supplier<Generation> current, Server server, Metrics metrics,
                       Reloader reloader, Revocations revocations) {
    this(version, clock, current, server, metrics, reloader, revocations, null, null);
  }

  /**
   * @param issued the RENEW issuance records, or null when renewal is not wired
   * @param enrollments the {@code enroll} requests, or null when the enrollment registry is not wired
   */
  public AdminRequests(String version, Clock clock, Supplier<Generation> current, Server server, Metrics metrics,
                       Reloader reloader, Revocations revocations, IssuanceLog issued,
                       EnrollmentRequests enrollments) {
    this(version, clock, current, server, metrics, reloader, revocations, issued, enrollments, null);
  }

  /** @param attest the {@code attest} requests (quote records), or null when they are not wired */
  public AdminRequests(String version, Clock clock, Supplier<Generation> current, Server server, Metrics metrics,
                       Reloader reloader, Revocations revocations, IssuanceLog issued,
                       EnrollmentRequests enrollments, AttestRequests attest) {
    this.attest = attest;
    this.issued = issued;
    this.enrollments = enrollments;
    this.version = version;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.current = current;
    this.server = server;
    this.metrics = metrics;
    this.reloader = reloader;
    this.revocations = revocations;
  }

  /** The reply to {@code line}; never throws for a bad request, it answers with {@code BAD_REQUEST}. */
  public Map<String, Object> answer(String line) {
    String[] words = line.strip().split(" ", 2);
    String verb = words[0];
    String arg = words.length > 1 ? words[1].strip() : "";
    return switch (verb) {
      case "status" -> noArgument(verb, arg, this::status);
      case "connections" -> noArgument(verb, arg, this::connections);
      case "disconnect" -> disconnect(arg);
      case "reload" -> noArgument(verb, arg, this::reload);
      case "revoke" -> revoke(arg);
      case "unrevoke" -> unrevoke(arg);
      case "revoked" -> noArgument(verb, arg, this::revoked);
      case "metrics" -> noArgument(verb, arg, this::metrics);
      case "issued" -> noArgument(verb, arg, () -> IssuedReply.list(issued));
      case "enroll" -> enrollments == null ? AdminError.INTERNAL.reply("the enrollment registry is not wired")
          : enrollments.answer(arg);
      case "attest" -> attest == null ? AdminError.INTERNAL.reply("the quote records are not wired")
          : attest.answer(arg);
      default -> AdminError.BAD_REQUEST.reply("unknown request \"" + verb + "\"; expected status, connections,"
          + " disconnect, reload, revoke, unrevoke, revoked, metrics, issued, enroll or attest");
    };
  }

  private static Map<String, Object> noArgument(String verb, String arg, Supplier<Map<String, Object>> answer) {
    return arg.isEmpty() ? answer.get() : AdminError.BAD_REQUEST.reply(verb + " takes no argument");
  }

  static Map<String, Object> ok() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", true);
    return m;
  }

  private Map<String, Object> status() {
    Generation g = current.get();
    Instant now = clock.instant();
    Map<String, Object> m = ok();
    m.put("version", version);
    m.put("started", startedAt.toString());
    m.put("uptime_seconds", Duration.between(startedAt, now).toSeconds());
    m.put("config", String.valueOf(g.configFile()));
    m.put("generation", g.number());
    m.put("generation_loaded", g.loadedAt().toString());
    m.put("last_reload", reloader.lastReload().map(LastReload::toJson).orElse(null));
    m.put("listener", server.description());
    m.put("connections_open", server.openConnections());
    m.put("connections_parked", server.parkedConnections());
    m.put("connections_accepted", metrics.acceptedCount());
    m.put("requests", metrics.requestCount());
    m.put("revoked_entries", revocations.list().size());
    m.put("state", StatusReply.state(revocations.health()));
    X509Certificate leaf = g.serverCertificate();
    m.put("server_certificate", StatusReply.certificate(leaf));
    List<Object> cas = new ArrayList<>();
    for (X509Certificate ca : g.clientCas()) cas.add(StatusReply.certificate(ca));
    m.put("client_cas", cas);
    m.put("renewals", IssuedReply.status(metrics.renewals()));
    m.put("crl", StatusReply.crl(metrics.crl().status(), now));
    // only with [attestation]: the registry may live in a database, and status must not wait on it otherwise
    if (enrollments != null && g.attestationConfigured()) {
      Map<String, Object> e = enrollments.status();
      e.put("enrolled", metrics.enrollments().enrolledCount());
      e.put("refused", metrics.enrollments().refusedCounts());
      m.put("enrollment", e);
    }
    return m;
  }

  private Map<String, Object> connections() {
    List<Object> list = new ArrayList<>();
    for (ConnectionInfo c : server.registry().list()) list.add(connection(c));
    Map<String, Object> m = ok();
    m.put("connections", list);
    return m;
  }

  private static Map<String, Object> connection(ConnectionInfo c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("identity", c.identity());
    m.put("serial", c.serial());
    m.put("remote", c.remote());
    m.put("since", c.since().toString());
    m.put("requests", c.requests());
    return m;
  }

  private Map<String, Object> disconnect(String arg) {
    long id;
    try {
      id = Long.parseLong(arg);
    } catch (NumberFormatException e) {
      return AdminError.BAD_REQUEST.reply("disconnect needs a connection id (a number), got \"" + arg + "\"");
    }
    return server.registry().disconnect(id).map(info -> {
      Map<String, Object> m = ok();
      m.put("disconnected", connection(info));
      return m;
    }).orElseGet(() -> AdminError.NOT_FOUND.reply("no open connection " + id));
  }

  private Map<String, Object> reload() {
    try {
      Generation g = reloader.reload();
      Map<String, Object> m = ok();
      m.put("generation", g.number());
      m.put("config", String.valueOf(g.configFile()));
      return m;
    } catch (Reloader.Failed e) {
      Map<String, Object> m = AdminError.RELOAD_FAILED.reply(e.getMessage());
      m.put("generation", current.get().number());
      return m;
    }
  }

  /**
   * {@code revoke identity NAME} or {@code revoke serial HEX}, then optional tab-separated {@code by=USER}
   * and {@code reason=TEXT} (entries and reasons have no control characters, so the tab is unambiguous).
   */
  private Map<String, Object> revoke(String arg) {
    String[] fields = arg.split("\t", -1);
    String[] kv = fields[0].strip().split(" ", 2);
    String value = kv.length > 1 ? kv[1].strip() : "";
    String usage = "expected \"revoke identity NAME\" or \"revoke serial HEX\", then optionally"
        + " tab-separated by=USER and reason=TEXT";
    if (!DenyList.validEntry(value)) return AdminError.BAD_REQUEST.reply(usage);
    String by = "";
    String reason = "";
    for (int i = 1; i < fields.length; i++) {
      if (fields[i].startsWith("by=")) by = fields[i].substring(3);
      else if (fields[i].startsWith("reason=")) reason = fields[i].substring(7).strip();
      else return AdminError.BAD_REQUEST.reply(usage);
    }
    if (!by.isEmpty() && !by.matches("[A-Za-z0-9_.-]{1,64}\\$?")) {
      return AdminError.BAD_REQUEST.reply("by=: not a user name");
    }
    if (!reason.isEmpty() && (!DenyList.validEntry(reason) || reason.length() > 500)) {
      return AdminError.BAD_REQUEST.reply("a reason is one line of at most 500 characters without control characters");
    }
    Revocations.Change change;
    String shown;
    try {
      DenyListEntry.Kind kind = DenyListEntry.Kind.of(kv[0]);
      shown = kind == DenyListEntry.Kind.SERIAL ? DenyList.normalizeSerial(value) : value;
      change = revocations.revoke(kind, value, by, reason);
    } catch (IllegalArgumentException e) {
      return AdminError.BAD_REQUEST.reply(kv[0].equals("serial") ? e.getMessage() : usage);
    }
    Map<String, Object> m = switch (change.reach()) {
      case UNCHANGED, SAVED -> ok();
      case THIS_HOST_ONLY -> AdminError.LOCAL_ONLY.reply("in effect on this host only until the database is back"
          + " (kept in the pending journal, written to the database then): " + revocations.health().detail());
      case THIS_RUN_ONLY -> AdminError.NOT_SAVED.reply("in effect until the daemon stops only: "
          + revocations.health().detail());
    };
    m.put(kv[0], shown);
    m.put("changed", change.changed());
    m.put("disconnected", change.disconnected());
    return m;
  }

  private Map<String, Object> unrevoke(String arg) {
    if (!DenyList.validEntry(arg)) return AdminError.BAD_REQUEST.reply("expected \"unrevoke IDENTITY|SERIAL\"");
    Revocations.Removal removal;
    try {
      removal = revocations.unrevoke(arg);
    } catch (StateStore.Unavailable e) {
      return AdminError.STATE_UNAVAILABLE.reply(e.getMessage());
    }
    if (!removal.changed()) return AdminError.NOT_FOUND.reply("\"" + arg + "\" is not on the deny list");
    Map<String, Object> m = ok();
    removal.identity().ifPresent(i -> m.put("identity", i));
    removal.serial().ifPresent(h -> m.put("serial", h));
    m.put("changed", true);
    return m;
  }

  private Map<String, Object> revoked() {
    DenyList d = revocations.list();
    Map<String, Object> m = ok();
    m.put("identities", d.identities().stream().sorted().toList());
    m.put("serials", d.serials().stream().sorted().toList());
    List<Object> entries = new ArrayList<>();
    for (DenyListEntry e : d.sorted()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("kind", e.kind().word());
      one.put("value", e.value());
      one.put("by", e.by());
      one.put("at", e.at().equals(Instant.EPOCH) ? "" : e.at().toString());
      one.put("reason", e.reason());
      entries.add(one);
    }
    m.put("entries", entries);
    return m;
  }

  private Map<String, Object> metrics() {
    Map<String, Object> m = ok();
    m.put("text", metricsText());
    return m;
  }

  /** The Prometheus text of {@code securecmdctl metrics}, which the HTTP endpoint serves too. */
  public String metricsText() {
    Generation g = current.get();
    // Before the first reload, the start's own load is the latest (as Prometheus reports its own config).
    LastReload reload = reloader.lastReload().orElseGet(() -> LastReload.succeeded(startedAt));
    return PrometheusText.render(metrics.snapshot(), server.openConnections(), g.number(), revocations.list().size(),
        reload)
        + PrometheusText.capacityAndExpiry(server.maxConnections(), g.serverCertificate(), g.clientCas(),
            clock.instant())
        + PrometheusText.parked(server.parkedConnections())
        + PrometheusText.state(revocations.health())
        + PrometheusText.renewals(metrics.renewals())
        + (g.attestationConfigured() ? PrometheusText.enrollments(metrics.enrollments())
            + PrometheusText.attestation(metrics.attestation()) : "")
        + PrometheusText.renderFleet(metrics.proxy().snapshot(), metrics.crl().status(), clock.instant());
  }
}
