package org.securecmd.daemon.ctl;

import java.util.List;

/**
 * {@code securecmdctl attest show DEVICE | learn DEVICE STATE}: the command line of the quote records to an
 * admin request. Both only read: learning prints TOML for the operator to add, nothing widens by itself.
 */
final class AttestCommand {
  static final String DESCRIPTION = """
      what devices' verified TPM quotes held ([attestation]); ACTION is one of:
        attest show DEVICE          the device's last verified PCR values (SHA-256 bank) and its last
                                    value sets that matched no state
        attest learn DEVICE STATE   the last verified values of STATE's PCRs as one TOML line to add to
                                    [attestation.states.STATE] allowed (then reload)""";

  private AttestCommand() {}

  /** @throws IllegalArgumentException with a usage message */
  static Requests.Action parse(List<String> words, String help) {
    if (words.contains("--help") || words.contains("-h")) return new Requests.Help(help);
    List<String> args = words.stream().filter(w -> !w.equals("--")).toList();
    for (String a : args) {
      if (a.isBlank() || a.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("attest: \"" + a + "\" is empty or holds white space or control"
            + " characters; device and state names never do");
      }
    }
    if (args.size() == 2 && args.get(0).equals("show")) {
      return new Requests.Send("attest show", "attest show " + args.get(1));
    }
    if (args.size() == 3 && args.get(0).equals("learn")) {
      return new Requests.Send("attest learn", "attest learn " + args.get(1) + " " + args.get(2));
    }
    throw new IllegalArgumentException("usage: securecmdctl attest show DEVICE | attest learn DEVICE STATE");
  }
}
