package org.securecmd.daemon.ctl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code securecmdctl enroll ACTION ...}: the command line of the TPM enrollment registry to an admin
 * request ({@code enroll add NAME HEX}, ...) or, for {@code import}, to the checked entries of a CSV file. An
 * EK certificate is read and hashed here ({@link EkIdentity}), so only its SHA-256 is sent.
 */
final class EnrollCommand {
  static final String DESCRIPTION = """
      TPMs that may enroll ([attestation]) and requests waiting for approval; ACTION is one of:
        enroll add NAME --ek-cert FILE     register the TPM whose EK certificate (PEM or DER) is FILE as NAME
        enroll add NAME --ek-sha256 HEX    the same by the SHA-256 of its EK public key (DER SubjectPublicKeyInfo)
        enroll import FILE                 a factory CSV, one "name,ek-certificate-file" or "name,sha256" a line;
                                           each line is reported as registered, unchanged or refused (why)
        enroll list                        the registrations: name, EK SHA-256, when, by whom
        enroll remove NAME                 remove a registration (the device's certificates stay valid: revoke them)
        enroll pending                     enrollments waiting for approval (enroll = "approve"): id, EK, address
        enroll approve ID NAME             register pending request ID as NAME; the device then enrolls again
        enroll reject ID                   drop pending request ID""";

  private EnrollCommand() {}

  /** @throws IllegalArgumentException with a usage message */
  static Requests.Action parse(List<String> words, String help) {
    List<String> args = new ArrayList<>();
    String ekCert = null;
    String ekHex = null;
    boolean options = true;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (options && w.equals("--")) {
        options = false;
      } else if (options && (w.equals("--help") || w.equals("-h"))) {
        return new Requests.Help(help);
      } else if (options && (w.equals("--ek-cert") || w.equals("--ek-sha256"))) {
        if (++i >= words.size()) throw new IllegalArgumentException("enroll: " + w + " needs a value");
        if (w.equals("--ek-cert")) ekCert = checked(words.get(i));
        else ekHex = checked(words.get(i));
      } else if (options && w.startsWith("-") && w.length() > 1) {
        throw new IllegalArgumentException("enroll: unknown option " + w);
      } else {
        args.add(checked(w));
      }
    }
    if (args.isEmpty()) throw new IllegalArgumentException("enroll: expected add, import, list, remove, pending,"
        + " approve or reject");
    String action = args.getFirst();
    if (!action.equals("add") && (ekCert != null || ekHex != null)) {
      throw new IllegalArgumentException("enroll " + action + ": --ek-cert and --ek-sha256 go with enroll add only");
    }
    return switch (action) {
      case "list", "pending" -> send(action, args, 0, "enroll " + action);
      case "remove" -> send(action, args, 1, "enroll remove NAME");
      case "reject" -> send(action, args, 1, "enroll reject ID");
      case "approve" -> send(action, args, 2, "enroll approve ID NAME");
      case "add" -> add(args, ekCert, ekHex);
      case "import" -> {
        if (args.size() != 2) throw new IllegalArgumentException("usage: securecmdctl enroll import FILE");
        yield new Requests.Import(EnrollImport.read(Path.of(args.get(1))));
      }
      default -> throw new IllegalArgumentException("enroll: unknown action \"" + action + "\"; expected add, import,"
          + " list, remove, pending, approve or reject");
    };
  }

  private static Requests.Send send(String action, List<String> args, int count, String usage) {
    if (args.size() != count + 1) throw new IllegalArgumentException("usage: securecmdctl " + usage);
    for (String a : args) {
      if (a.chars().anyMatch(Character::isWhitespace)) throw new IllegalArgumentException("enroll " + action
          + ": \"" + a + "\" holds white space; names and ids never do");
    }
    return new Requests.Send("enroll " + action, "enroll " + String.join(" ", args));
  }

  private static Requests.Send add(List<String> args, String ekCert, String ekHex) {
    String usage = "usage: securecmdctl enroll add NAME --ek-cert FILE | --ek-sha256 HEX";
    if (args.size() != 2 || (ekCert == null) == (ekHex == null)) throw new IllegalArgumentException(usage);
    String hex;
    if (ekHex != null) {
      hex = EkIdentity.ofHex(ekHex).orElseThrow(() -> new IllegalArgumentException("enroll add: --ek-sha256 \""
          + ekHex + "\" is not 64 hex digits"));
    } else {
      try {
        hex = EkIdentity.ofCertificateFile(Path.of(ekCert));
      } catch (IOException e) {
        throw new IllegalArgumentException("enroll add: " + e.getMessage());
      }
    }
    return send("add", List.of("add", args.get(1), hex), 2, "enroll add NAME --ek-cert FILE | --ek-sha256 HEX");
  }

  private static String checked(String value) {
    if (value.isBlank()) throw new IllegalArgumentException("enroll: empty argument");
    if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("enroll: control characters are not allowed");
    }
    return value;
  }
}
