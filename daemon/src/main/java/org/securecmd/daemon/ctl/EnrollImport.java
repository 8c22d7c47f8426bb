package org.securecmd.daemon.ctl;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.securecmd.daemon.admin.Json;

/**
 * {@code securecmdctl enroll import FILE}: a factory's CSV, one device a line, {@code name,ek-certificate-file}
 * (PEM or DER, relative to the CSV's directory) or {@code name,sha256} (the EK identity, see
 * {@link EkIdentity}); blank lines, {@code #} comments and a first line starting {@code name,} are skipped.
 * Lines are checked here (a refusal is reported without being sent), then sent as {@code enroll import
 * LINE:NAME,HEX ...} requests that each fit {@link #MAX_REQUEST_BYTES}, so a file of any length fits the
 * admin protocol's line. Every line is reported: registered, unchanged (already so), or refused and why.
 * Exit code 1 when any line was refused (the others are registered all the same), 0 otherwise.
 */
final class EnrollImport {
  /** Below the admin socket's 4096-byte line, with room for the tab-separated {@code by=}. */
  static final int MAX_REQUEST_BYTES = 3500;

  /** One CSV line: its EK identity, or why it is refused before anything is sent. */
  record Entry(int line, String name, String ekSha256, String refusal) {
    boolean refusedHere() {
      return !refusal.isEmpty();
    }
  }

  private EnrollImport() {}

  /** @throws IllegalArgumentException when the file cannot be read (a usage error: nothing was sent) */
  static List<Entry> read(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("enroll import: cannot read " + csv + ": " + e.getMessage());
    }
    Path dir = csv.toAbsolutePath().getParent();
    List<Entry> out = new ArrayList<>();
    for (int n = 1; n <= lines.size(); n++) {
      String line = lines.get(n - 1).strip();
      if (line.isEmpty() || line.startsWith("#") || (n == 1 && line.toLowerCase(java.util.Locale.ROOT).startsWith("name,"))) {
        continue;
      }
      out.add(entry(n, line, dir));
    }
    if (out.isEmpty()) throw new IllegalArgumentException("enroll import: " + csv + " holds no device line");
    return out;
  }

  private static Entry entry(int n, String line, Path dir) {
    int comma = line.indexOf(',');
    if (comma < 0 || line.indexOf(',', comma + 1) >= 0) {
      return new Entry(n, line, "", "expected NAME,EK-CERTIFICATE-FILE or NAME,SHA256");
    }
    String name = line.substring(0, comma).strip();
    String second = line.substring(comma + 1).strip();
    if (name.isEmpty() || name.length() > 64 || name.chars().anyMatch(c -> Character.isWhitespace(c)
        || Character.isISOControl(c))) {
      return new Entry(n, name, "", "a device name is 1 to 64 characters without white space, commas or control"
          + " characters");
    }
    if (second.isEmpty()) return new Entry(n, name, "", "no EK certificate file or SHA-256");
    var hex = EkIdentity.ofHex(second);
    if (hex.isPresent()) return new Entry(n, name, hex.get(), "");
    try {
      return new Entry(n, name, EkIdentity.ofCertificateFile(dir.resolve(second)), "");
    } catch (IOException | java.nio.file.InvalidPathException e) {
      return new Entry(n, name, "", e.getMessage());
    }
  }

  /** The request lines for the entries not refused here, each at most {@link #MAX_REQUEST_BYTES}. */
  static List<String> pieces(List<Entry> entries) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    for (Entry e : entries) {
      if (e.refusedHere()) continue;
      String item = " " + e.line() + ":" + e.name() + "," + e.ekSha256();
      if (b.length() > 0 && (b + item).getBytes(UTF_8).length > MAX_REQUEST_BYTES) {
        out.add(b.toString());
        b.setLength(0);
      }
      if (b.length() == 0) b.append("enroll import");
      b.append(item);
    }
    if (b.length() > 0) out.add(b.toString());
    return out;
  }

  static int run(Requests.Import imported, Path socket, boolean json, PrintStream out, PrintStream err) {
    Map<Integer, Map<String, Object>> results = new LinkedHashMap<>();
    for (Entry e : imported.entries()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("line", e.line());
      r.put("name", e.name());
      r.put("ok", false);
      r.put("reason", e.refusedHere() ? e.refusal() : "not sent");
      results.put(e.line(), r);
    }
    for (String piece : pieces(imported.entries())) {
      Map<?, ?> reply;
      try {
        reply = (Map<?, ?>) Json.parse(Main.send(socket, RevokeRequest.signed(piece)));
      } catch (IOException e) {
        return Main.failure(e, socket, err);
      } catch (IllegalArgumentException | ClassCastException e) {
        err.println("securecmdctl: unexpected reply from " + socket + ": " + e.getMessage());
        return Main.FAILED;
      }
      if (!Boolean.TRUE.equals(reply.get("ok"))) {
        err.println("securecmdctl: enroll import: " + TerminalText.escape(reply.get("message")));
        return Main.FAILED;
      }
      for (Object o : (List<?>) reply.get("results")) {
        Map<?, ?> one = (Map<?, ?>) o;
        Map<String, Object> r = new LinkedHashMap<>();
        one.forEach((k, v) -> r.put(String.valueOf(k), v));
        results.put(((Number) one.get("line")).intValue(), r);
      }
    }
    List<Object> all = new ArrayList<>(results.values());
    long refused = all.stream().filter(r -> !Boolean.TRUE.equals(((Map<?, ?>) r).get("ok"))).count();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", refused == 0);
      m.put("results", all);
      out.println(Json.write(m));
    } else {
      EnrollOutput.imported(all, out);
    }
    return refused == 0 ? Main.OK : Main.FAILED;
  }
}
