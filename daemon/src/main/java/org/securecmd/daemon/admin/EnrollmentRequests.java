package org.securecmd.daemon.admin;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.securecmd.daemon.state.EnrollmentRegistry;
import org.securecmd.daemon.state.PendingEnrollment;
import org.securecmd.daemon.state.Registration;

/**
 * The {@code enroll ...} admin requests: the registrations of TPMs (EK identity to device name) and the
 * enrollments waiting for approval, in the state store, so a change made on one host counts on every host.
 * Arguments are single words (names and EK identities hold no white space); requests that change something
 * may end in a tab-separated {@code by=USER}, recorded as {@code USER@HOST}.
 *
 * <pre>
 * enroll list | enroll pending
 * enroll add NAME EK-SHA256           enroll remove NAME
 * enroll approve ID NAME              enroll reject ID
 * enroll import LINE:NAME,EK-SHA256 LINE:NAME,EK-SHA256 ...   (each reported under its LINE)
 * </pre>
 */
public final class EnrollmentRequests {
  private static final String USAGE = "expected \"enroll list\", \"enroll pending\", \"enroll add NAME EK-SHA256\","
      + " \"enroll remove NAME\", \"enroll approve ID NAME\", \"enroll reject ID\" or \"enroll import"
      + " LINE:NAME,EK-SHA256 ...\"";
  private static final String NAME_RULE = "a device name is 1 to 64 characters without white space, commas or"
      + " control characters";

  private final EnrollmentRegistry registry;
  private final Clock clock;
  private final String host;

  /** @param host this machine's name, recorded with each change ({@code user@host}) */
  public EnrollmentRequests(EnrollmentRegistry registry, Clock clock, String host) {
    this.registry = registry;
    this.clock = clock;
    this.host = host;
  }

  /** The reply to {@code enroll ARG}. */
  Map<String, Object> answer(String arg) {
    String[] fields = arg.split("\t", -1);
    String by = host;
    for (int i = 1; i < fields.length; i++) {
      if (!fields[i].startsWith("by=") || !fields[i].substring(3).matches("[A-Za-z0-9_.-]{1,64}\\$?")) {
        return AdminError.BAD_REQUEST.reply(USAGE + ", then optionally a tab and by=USER");
      }
      by = fields[i].substring(3) + "@" + host;
    }
    String[] w = fields[0].strip().isEmpty() ? new String[0] : fields[0].strip().split(" +");
    String sub = w.length == 0 ? "" : w[0];
    try {
      return switch (sub) {
        case "list" -> w.length == 1 ? list() : AdminError.BAD_REQUEST.reply("enroll list takes no argument");
        case "pending" -> w.length == 1 ? pending() : AdminError.BAD_REQUEST.reply("enroll pending takes no argument");
        case "add" -> w.length == 3 ? add(w[1], w[2], by) : AdminError.BAD_REQUEST.reply("expected \"enroll add NAME EK-SHA256\"");
        case "remove" -> w.length == 2 ? remove(w[1]) : AdminError.BAD_REQUEST.reply("expected \"enroll remove NAME\"");
        case "approve" -> w.length == 3 ? approve(w[1], w[2], by) : AdminError.BAD_REQUEST.reply("expected \"enroll approve ID NAME\"");
        case "reject" -> w.length == 2 ? reject(w[1]) : AdminError.BAD_REQUEST.reply("expected \"enroll reject ID\"");
        case "import" -> w.length > 1 ? importLines(w, by) : AdminError.BAD_REQUEST.reply("enroll import needs entries");
        default -> AdminError.BAD_REQUEST.reply(USAGE);
      };
    } catch (IOException e) {
      return AdminError.STATE_UNAVAILABLE.reply("the enrollment registry: " + e.getMessage() + "; nothing was changed");
    }
  }

  /** {@code {"registered": n, "pending": n}} for {@code status}; an {@code "error"} when the store cannot say. */
  Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    try {
      EnrollmentRegistry.Counts c = registry.counts();
      m.put("registered", c.registered());
      m.put("pending", c.pending());
    } catch (IOException e) {
      m.put("error", e.getMessage());
    }
    return m;
  }

  private Map<String, Object> list() throws IOException {
    List<Object> out = new ArrayList<>();
    for (Registration r : registry.registrations()) out.add(registration(r));
    Map<String, Object> m = AdminRequests.ok();
    m.put("registrations", out);
    return m;
  }

  private static Map<String, Object> registration(Registration r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("ek_sha256", r.ekSha256());
    m.put("registered_at", r.registeredAt().toString());
    m.put("by", r.by());
    return m;
  }

  private Map<String, Object> pending() throws IOException {
    List<Object> out = new ArrayList<>();
    for (PendingEnrollment p : registry.pending()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("id", p.id());
      one.put("ek_sha256", p.ekSha256());
      one.put("address", p.address());
      one.put("requested_at", p.requestedAt().toString());
      out.add(one);
    }
    Map<String, Object> m = AdminRequests.ok();
    m.put("pending", out);
    return m;
  }

  private Map<String, Object> add(String name, String ek, String by) throws IOException {
    Optional<String> refused = check(name, ek);
    if (refused.isPresent()) return AdminError.BAD_REQUEST.reply(refused.get());
    String hex = Registration.normalizeEkSha256(ek).orElseThrow();
    try {
      boolean changed = registry.register(new Registration(name, hex, clock.instant(), by));
      Map<String, Object> m = AdminRequests.ok();
      m.put("name", name);
      m.put("ek_sha256", hex);
      m.put("changed", changed);
      return m;
    } catch (EnrollmentRegistry.Refused e) {
      return AdminError.CONFLICT.reply(e.getMessage());
    }
  }

  /** Why {@code name} and {@code ek} cannot be a registration; empty when they can. */
  private static Optional<String> check(String name, String ek) {
    if (!Registration.validName(name)) return Optional.of("\"" + name + "\": " + NAME_RULE);
    if (Registration.normalizeEkSha256(ek).isEmpty()) {
      return Optional.of("\"" + ek + "\" is not an EK SHA-256 (64 hex digits)");
    }
    return Optional.empty();
  }

  private Map<String, Object> remove(String name) throws IOException {
    if (!registry.unregister(name)) return AdminError.NOT_FOUND.reply("\"" + name + "\" is not registered");
    Map<String, Object> m = AdminRequests.ok();
    m.put("name", name);
    m.put("changed", true);
    return m;
  }

  private Map<String, Object> approve(String id, String name, String by) throws IOException {
    if (!Registration.validName(name)) return AdminError.BAD_REQUEST.reply("\"" + name + "\": " + NAME_RULE);
    try {
      Registration r = registry.approve(id, name, by, clock.instant());
      Map<String, Object> m = AdminRequests.ok();
      m.put("id", id);
      m.putAll(registration(r));
      return m;
    } catch (EnrollmentRegistry.Refused e) {
      return (e.getMessage().startsWith("no pending") ? AdminError.NOT_FOUND : AdminError.CONFLICT).reply(e.getMessage());
    }
  }

  private Map<String, Object> reject(String id) throws IOException {
    if (!registry.reject(id)) return AdminError.NOT_FOUND.reply("no pending enrollment " + id);
    Map<String, Object> m = AdminRequests.ok();
    m.put("id", id);
    m.put("changed", true);
    return m;
  }

  /** Each {@code LINE:NAME,EK} registered on its own; a refused one does not stop the others. */
  private Map<String, Object> importLines(String[] w, String by) throws IOException {
    List<Object> results = new ArrayList<>();
    for (int i = 1; i < w.length; i++) {
      Map<String, Object> one = new LinkedHashMap<>();
      int colon = w[i].indexOf(':');
      int comma = w[i].indexOf(',', colon + 1);
      if (colon < 1 || comma < 0 || !w[i].substring(0, colon).matches("[0-9]{1,9}")) {
        return AdminError.BAD_REQUEST.reply("enroll import: \"" + w[i] + "\" is not LINE:NAME,EK-SHA256");
      }
      String name = w[i].substring(colon + 1, comma);
      String ek = w[i].substring(comma + 1);
      one.put("line", Integer.parseInt(w[i].substring(0, colon)));
      one.put("name", name);
      Optional<String> refused = check(name, ek);
      if (refused.isEmpty()) {
        try {
          one.put("changed", registry.register(new Registration(name, Registration.normalizeEkSha256(ek).orElseThrow(),
              clock.instant(), by)));
        } catch (EnrollmentRegistry.Refused e) {
          refused = Optional.of(e.getMessage());
        }
      }
      one.put("ok", refused.isEmpty());
      refused.ifPresent(r -> one.put("reason", r));
      results.add(one);
    }
    Map<String, Object> m = AdminRequests.ok();
    m.put("results", results);
    return m;
  }
}
