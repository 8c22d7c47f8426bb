package org.securecmd.daemon.config;

import java.nio.file.Path;

/**
 * Where a configured command's reply comes from: {@code reply} (the same line for everyone) or
 * {@code reply_file}, either one file or a template whose {@code {client}} the device's CN fills in.
 */
public sealed interface ReplySource {
  /** The placeholder a {@code reply_file} template may hold, once or more; no other is allowed. */
  String CLIENT = "{client}";

  /**
   * {@code reply = "..."}, checked when the config loaded.
   *
   * @param line the reply line as sent: already base64 with {@code encoding = "base64"}
   */
  record Static(String line) implements ReplySource {}

  /** {@code reply_file} without a placeholder: the operator's exact file, read at every request. */
  record File(Path path) implements ReplySource {}

  /**
   * {@code reply_file} with {@code {client}}: a device's name picks the file, read at every request.
   *
   * @param template an absolute path holding {@link #CLIENT}, in a directory that holds none of the daemon's
   *     own files
   */
  record Template(String template) implements ReplySource {
    public Template {
      if (!template.contains(CLIENT)) throw new IllegalArgumentException("no " + CLIENT + " in " + template);
    }
  }
}
