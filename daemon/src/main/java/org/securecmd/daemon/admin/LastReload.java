package org.securecmd.daemon.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the latest reload ended (admin {@code reload}, {@code systemctl reload} or SIGHUP): when, and the error
 * when it was refused and the old generation kept serving. Shown by {@code status}, systemd's {@code STATUS=}
 * line and the metrics {@code securecmd_last_reload_success} and {@code securecmd_last_reload_timestamp_seconds}.
 *
 * @param error empty when the reload installed a new generation
 */
public record LastReload(Instant at, Optional<String> error) {
  public LastReload {
    if (error.isPresent() && error.get().isBlank()) throw new IllegalArgumentException("blank reload error");
  }

  public static LastReload succeeded(Instant at) {
    return new LastReload(at, Optional.empty());
  }

  public static LastReload failed(Instant at, String error) {
    return new LastReload(at, Optional.of(error == null || error.isBlank() ? "unknown error" : error));
  }

  public boolean success() {
    return error.isEmpty();
  }

  /** For systemd's STATUS= line, e.g. {@code last reload FAILED at 2026-12-01T09:12:03Z: config.toml:4: ...}. */
  public String summary() {
    return success() ? "last reload OK at " + at : "last reload FAILED at " + at + ": " + error.get();
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("success", success());
    m.put("time", at.toString());
    error.ifPresent(e -> m.put("error", e));
    return m;
  }
}
