package org.securecmd.daemon.command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.auth.LogText;
import org.securecmd.daemon.config.ReplyEncoding;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reply_file = "/etc/securecmd/secrets/{client}"}: read at request time, so a secret rotates by
 * replacing the file. {@code {client}} becomes the certificate's CN (its only one: certificates with several
 * are refused at connect), never a SAN, and only when the command's allow list matches that CN itself: a
 * device allowed through its DNS name {@code sensor-1} but named {@code admin} by its CN is refused rather
 * than served {@code admin}'s file. The name must be a plain file name (no {@code /}, no leading dot): a
 * certificate is not allowed to walk the file system.
 *
 * <p>A file named through {@code {client}} is opened with {@code O_NOFOLLOW} (a symbolic link in its place
 * fails the open itself, so there is no window between a check and the open) and must be a regular file: a
 * FIFO, device or directory is refused before it is opened, so that no read can block on it. Which
 * directories a template may point into is checked when the configuration loads. A static {@code reply_file}
 * (no placeholder) is the operator's exact choice and is read as it is, links included.
 */
final class FileReply implements CommandHandler {
  /** Bounded so that one request cannot make the daemon read a huge file; base64 of this fits a reply. */
  static final int MAX_FILE_BYTES = 512 * 1024;
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_@+=,-][A-Za-z0-9._@+=,-]{0,254}");
  private static final Logger log = LoggerFactory.getLogger(FileReply.class);

  private final String verb;
  private final String template;
  private final ReplyEncoding encoding;
  private final AllowList allow;

  /** @param allow the command's allow list, which must match the name {@code {client}} takes */
  FileReply(String verb, String template, ReplyEncoding encoding, AllowList allow) {
    this.verb = verb;
    this.template = template;
    this.encoding = encoding;
    this.allow = allow;
  }

  @Override
  public Answer handle(Call call) {
    Identity identity = call.identity();
    Path file;
    if (template.contains("{client}")) {
      if (identity.isAnonymous()) return Answer.error(ErrorCode.FORBIDDEN, verb + " needs a client certificate");
      String name = identity.commonName();
      if (name.isEmpty()) return Answer.error(ErrorCode.FORBIDDEN, verb + " needs a certificate with a CN");
      if (!allow.allowsName(name)) {
        log.warn("{}: the allow list matched another name of {}, not its CN; refusing", verb, LogText.token(name));
        return Answer.error(ErrorCode.FORBIDDEN, "not allowed for this client");
      }
      if (!SAFE_NAME.matcher(name).matches()) {
        log.warn("{}: client name {} is not a safe file name; refusing", verb, LogText.token(name));
        return Answer.error(ErrorCode.UNAVAILABLE, "no reply for this client");
      }
      file = Path.of(template.replace("{client}", name));
    } else {
      file = Path.of(template);
    }
    byte[] bytes;
    try {
      bytes = template.contains("{client}") ? readRegularFile(file) : readOperatorsFile(file);
    } catch (NoSuchFileException e) {
      log.warn("{}: reply file {} does not exist", verb, file);
      return Answer.error(ErrorCode.UNAVAILABLE, "no reply for this client");
    } catch (NotARegularFile e) {
      log.error("{}: reply file {} {}; refusing", verb, file, e.getMessage());
      return Answer.error(ErrorCode.UNAVAILABLE, "reply not available");
    } catch (IOException e) {
      log.error("{}: cannot read reply file {}: {}", verb, file, e.toString());
      return Answer.error(ErrorCode.UNAVAILABLE, "reply not available");
    }
    if (bytes == null) {
      log.error("{}: reply file {} is larger than {} bytes", verb, file, MAX_FILE_BYTES);
      return Answer.error(ErrorCode.UNAVAILABLE, "reply not available");
    }
    if (encoding == ReplyEncoding.BASE64) return Answer.ok(Base64.getEncoder().encodeToString(bytes));
    return plain(file, bytes);
  }

  /** One line of UTF-8; a single trailing newline (as editors write) is not part of the value. */
  private Answer plain(Path file, byte[] bytes) {
    int n = bytes.length;
    if (n > 0 && bytes[n - 1] == '\n') n--;
    if (n > 0 && bytes[n - 1] == '\r') n--;
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, n)).toString();
    } catch (CharacterCodingException e) {
      log.error("{}: reply file {} is not UTF-8; set encoding = \"base64\"", verb, file);
      return Answer.error(ErrorCode.UNAVAILABLE, "reply not available");
    }
    if (!Reply.isSingleLine(text) || Reply.readsAsError(text)) {
      log.error("{}: reply file {} is not a single line of text; set encoding = \"base64\"", verb, file);
      return Answer.error(ErrorCode.UNAVAILABLE, "reply not available");
    }
    return Answer.ok(text);
  }

  /**
   * A static {@code reply_file} is the exact path the operator wrote: it may be a link (config management
   * and container secrets often are) or even a FIFO (tests use one to hold a request in flight).
   */
  private static byte[] readOperatorsFile(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return bounded(in);
    }
  }

  /** A file a device's name picked: never through a link, and only a regular file. */
  private static byte[] readRegularFile(Path file) throws IOException {
    // Checked first only so that a FIFO or device is never opened (an open could block); the symbolic-link
    // refusal that matters is O_NOFOLLOW on the open itself.
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isSymbolicLink()) throw new NotARegularFile("is a symbolic link");
    if (!a.isRegularFile()) throw new NotARegularFile("is not a regular file");
    try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
         InputStream in = Channels.newInputStream(ch)) {
      return bounded(in);
    } catch (FileSystemException e) {
      // ELOOP: a symbolic link was put in the file's place after the check above
      if (Files.isSymbolicLink(file)) throw new NotARegularFile("is a symbolic link");
      throw e;
    }
  }

  /** The stream's bytes, or {@code null} when it is over the bound. */
  private static byte[] bounded(InputStream in) throws IOException {
    byte[] buf = in.readNBytes(MAX_FILE_BYTES + 1);
    return buf.length > MAX_FILE_BYTES ? null : Arrays.copyOf(buf, buf.length);
  }

  /** A reply file that is a link, directory, FIFO or device: never read. */
  private static final class NotARegularFile extends IOException {
    NotARegularFile(String message) {
      super(message);
    }
  }
}
