package org.securecmd.daemon.command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.config.ReplyEncoding;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reply_file = "/etc/securecmd/secrets/{client}"}: read at request time, so a secret rotates by
 * replacing the file. {@code {client}} becomes the device's name, which must be a plain file name (no
 * {@code /}, no leading dot): a certificate is not allowed to walk the file system.
 */
final class FileReply implements CommandHandler {
  /** Bounded so that one request cannot make the daemon read a huge file; base64 of this fits a reply. */
  static final int MAX_FILE_BYTES = 512 * 1024;
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_@+=,-][A-Za-z0-9._@+=,-]{0,254}");
  private static final Logger log = LoggerFactory.getLogger(FileReply.class);

  private final String verb;
  private final String template;
  private final ReplyEncoding encoding;

  FileReply(String verb, String template, ReplyEncoding encoding) {
    this.verb = verb;
    this.template = template;
    this.encoding = encoding;
  }

  @Override
  public Reply handle(Identity identity) {
    Path file;
    if (template.contains("{client}")) {
      if (identity.isAnonymous()) return Reply.error(ErrorCode.FORBIDDEN, verb + " needs a client certificate");
      String name = identity.displayName();
      if (!SAFE_NAME.matcher(name).matches()) {
        log.warn("{}: client name {} is not a safe file name; refusing", verb, name.replaceAll("\\p{Cntrl}", "?"));
        return Reply.error(ErrorCode.UNAVAILABLE, "no reply for this client");
      }
      file = Path.of(template.replace("{client}", name));
    } else {
      file = Path.of(template);
    }
    byte[] bytes;
    try {
      bytes = readBounded(file);
    } catch (NoSuchFileException e) {
      log.warn("{}: reply file {} does not exist", verb, file);
      return Reply.error(ErrorCode.UNAVAILABLE, "no reply for this client");
    } catch (IOException e) {
      log.error("{}: cannot read reply file {}: {}", verb, file, e.toString());
      return Reply.error(ErrorCode.UNAVAILABLE, "reply not available");
    }
    if (bytes == null) {
      log.error("{}: reply file {} is larger than {} bytes", verb, file, MAX_FILE_BYTES);
      return Reply.error(ErrorCode.UNAVAILABLE, "reply not available");
    }
    if (encoding == ReplyEncoding.BASE64) return Reply.ok(Base64.getEncoder().encodeToString(bytes));
    return plain(file, bytes);
  }

  /** One line of UTF-8; a single trailing newline (as editors write) is not part of the value. */
  private Reply plain(Path file, byte[] bytes) {
    int n = bytes.length;
    if (n > 0 && bytes[n - 1] == '\n') n--;
    if (n > 0 && bytes[n - 1] == '\r') n--;
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, n)).toString();
    } catch (CharacterCodingException e) {
      log.error("{}: reply file {} is not UTF-8; set encoding = \"base64\"", verb, file);
      return Reply.error(ErrorCode.UNAVAILABLE, "reply not available");
    }
    if (!Reply.isSingleLine(text) || Reply.readsAsError(text)) {
      log.error("{}: reply file {} is not a single line of text; set encoding = \"base64\"", verb, file);
      return Reply.error(ErrorCode.UNAVAILABLE, "reply not available");
    }
    return Reply.ok(text);
  }

  /** The file's bytes, or {@code null} when it is over the bound. */
  private static byte[] readBounded(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = in.readNBytes(MAX_FILE_BYTES + 1);
      return buf.length > MAX_FILE_BYTES ? null : Arrays.copyOf(buf, buf.length);
    }
  }
}
