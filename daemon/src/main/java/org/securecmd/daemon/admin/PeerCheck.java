package org.securecmd.daemon.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may use the admin socket: root, or a member of the admin group. The peer comes from
 * {@code SO_PEERCRED} (the kernel's record of the connecting process's uid and gid, which a client cannot
 * forge); the JDK resolves them to names.
 *
 * <p>A peer is a member when its process's primary group is the admin group, or when its user is listed in
 * the group's member list as {@code getent group NAME} reports it (so /etc/group and any NSS source such as
 * LDAP count). {@code SO_PEERCRED} does not carry supplementary groups, so membership is looked up by user
 * name; it is looked up on every connection, so adding or removing a member takes effect at once.
 */
final class PeerCheck {
  private final String group;
  private final Function<String, Optional<String>> groupEntry;

  /** @param groupEntry the {@code getent group} line for a group name, empty when it does not exist */
  PeerCheck(String group, Function<String, Optional<String>> groupEntry) {
    this.group = group;
    this.groupEntry = groupEntry;
  }

  static PeerCheck forGroup(String group) {
    return new PeerCheck(group, PeerCheck::getent);
  }

  /** Why {@code peer} may not use the admin socket, or empty when it may. */
  Optional<String> refusal(UnixDomainPrincipal peer) {
    String user = peer.user().getName();
    if (user.equals("root") || user.equals("0")) return Optional.empty();
    if (peer.group().getName().equals(group)) return Optional.empty();
    Optional<String> entry = groupEntry.apply(group);
    if (entry.isPresent() && members(entry.get()).contains(user)) return Optional.empty();
    return Optional.of("user " + user + " (group " + peer.group().getName() + ") is neither root nor in the admin"
        + " group " + group + (entry.isEmpty() ? " (which does not exist)" : ""));
  }

  /** The member names of a {@code name:x:gid:member1,member2} line. */
  static Set<String> members(String groupLine) {
    String[] fields = groupLine.strip().split(":", -1);
    if (fields.length < 4 || fields[3].isEmpty()) return Set.of();
    return Set.copyOf(Arrays.asList(fields[3].split(",")));
  }

  private static Optional<String> getent(String group) {
    try {
      Process p = new ProcessBuilder("getent", "group", group).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return p.exitValue() == 0 && out.startsWith(group + ":") ? Optional.of(out.lines().findFirst().orElse(""))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
