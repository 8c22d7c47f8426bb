package org.securecmd.daemon.systemd;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Child process for {@link SocketActivationTest}, run under systemd-socket-activate. Adopts the
 * named sockets in argument order, reporting each on stdout, then accepts one connection on the
 * first adopted socket, answers "adopted NAME", closes the listener and reports "closed" (which
 * the parent only sees if stdout survived the close).
 */
public final class AdoptMain {
  private AdoptMain() {}

  public static void main(String[] args) throws Exception {
    SocketActivation activation = SocketActivation.fromEnvironment(System.getenv());
    System.out.println("names " + activation.names());
    ServerSocketChannel first = null;
    String firstName = null;
    for (String name : args) {
      try {
        var adopted = activation.adopt(name);
        if (adopted.isEmpty()) {
          System.out.println("absent " + name);
          continue;
        }
        System.out.println("adopted " + name + " at " + adopted.get().getLocalAddress());
        if (first == null) {
          first = adopted.get();
          firstName = name;
        }
      } catch (Exception e) {
        System.out.println("failed " + name + ": " + e.getMessage());
      }
    }
    if (first == null) return;
    try (SocketChannel connection = first.accept()) {
      connection.write(ByteBuffer.wrap(("adopted " + firstName + "\n").getBytes(UTF_8)));
    }
    SocketActivation.closeKeepingStdio(first);
    System.out.println("closed " + first.isOpen());
    System.out.flush();
  }
}
