package org.securecmd.daemon.admin;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminSocketFileTest {
  @TempDir Path dir;

  /**
   * What a watcher of the directory sees (inotify): the socket's name is created once and never changes mode
   * or group afterwards, so nobody can reach it before it is 0660 and the admin group's.
   */
  @Test
  void socketAppearsWithItsFinalModeAndGroup() throws Exception {
    Path run = Files.createDirectory(dir.resolve("run"));
    GroupPrincipal own = Files.readAttributes(Files.createFile(dir.resolve("probe")), PosixFileAttributes.class).group();
    List<String> events = new ArrayList<>();
    try (WatchService ws = run.getFileSystem().newWatchService()) {
      run.register(ws, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
      try (ServerSocketChannel ch = AdminSocketFile.bind(run.resolve("admin.sock"), own.getName(), 4)) {
        // inotify keeps order: once the sentinel's event is seen, every event before it has been seen.
        Files.createFile(run.resolve("sentinel"));
        while (!events.contains("ENTRY_CREATE sentinel")) {
          WatchKey key = ws.poll(30, TimeUnit.SECONDS);
          assertNotNull(key, "no event for the sentinel within 30 s; saw " + events);
          for (WatchEvent<?> e : key.pollEvents()) events.add(e.kind().name() + " " + e.context());
          key.reset();
        }
        List<String> onTheName = events.stream().filter(e -> e.endsWith(" admin.sock")).toList();
        assertEquals(List.of("ENTRY_CREATE admin.sock"), onTheName, "all events: " + events);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve("admin.sock"))));
        assertEquals(own, Files.readAttributes(run.resolve("admin.sock"), PosixFileAttributes.class).group());
        try (Stream<Path> files = Files.list(run)) {
          assertEquals(List.of("admin.sock", "sentinel"), files.map(p -> p.getFileName().toString()).sorted().toList(),
              "the temporary name is gone");
        }
      }
    }
  }
}
