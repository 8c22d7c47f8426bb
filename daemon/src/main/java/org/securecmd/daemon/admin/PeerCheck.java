package org.securecmd.daemon.admin;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may use the admin socket: root, or a member of the admin group. The peer comes from
 * {@code SO_PEERCRED} (the kernel's record of the connecting process's uid and gid, which a client cannot
 * forge); the JDK resolves them to names.
 *
 * <p>A peer is a member when its process's primary group is the admin group, or when its user is listed in
 * the group's member list as {@link GroupLookup} reports it ({@code getent group NAME}, so /etc/group and any
 * NSS source such as LDAP count). {@code SO_PEERCRED} does not carry supplementary groups, so membership is
 * looked up by user name; a change of members takes effect within {@link GroupLookup#CACHE_FOR}. A lookup
 * that times out or fails admits nobody but root and primary-group members, and the refusal says why.
 */
final class PeerCheck {
  private final String group;
  private final Function<String, GroupLookup.Result> groupEntry;

  /** @param groupEntry the admin group's entry (tests pass a stand-in) */
  PeerCheck(String group, Function<String, GroupLookup.Result> groupEntry) {
    this.group = group;
    this.groupEntry = groupEntry;
  }

  static PeerCheck forGroup(String group) {
    return new PeerCheck(group, new GroupLookup());
  }

  /** Why {@code peer} may not use the admin socket, or empty when it may. */
  Optional<String> refusal(UnixDomainPrincipal peer) {
    String user = peer.user().getName();
    if (user.equals("root") || user.equals("0")) return Optional.empty();
    if (peer.group().getName().equals(group)) return Optional.empty();
    GroupLookup.Result entry = groupEntry.apply(group);
    if (entry instanceof GroupLookup.Found f && members(f.line()).contains(user)) return Optional.empty();
    String why = switch (entry) {
      case GroupLookup.Found f -> "";
      case GroupLookup.Missing m -> " (which does not exist)";
      case GroupLookup.TimedOut t -> " (group lookup timed out after " + seconds(t.after()) + ")";
      case GroupLookup.Failed f -> " (group lookup failed: " + f.reason() + ")";
    };
    return Optional.of("user " + user + " (group " + peer.group().getName() + ") is neither root nor in the admin"
        + " group " + group + why);
  }

  private static String seconds(java.time.Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** The member names of a {@code name:x:gid:member1,member2} line. */
  static Set<String> members(String groupLine) {
    String[] fields = groupLine.strip().split(":", -1);
    if (fields.length < 4 || fields[3].isEmpty()) return Set.of();
    return Set.copyOf(Arrays.asList(fields[3].split(",")));
  }
}
