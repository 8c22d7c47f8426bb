package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The haproxy.cfg in the operator's guide is the file the tests run, byte for byte: they cannot drift. */
class HaproxyConfigDocTest {
  @Test
  void theGuidesHaproxyConfigIsTheShippedFile() throws Exception {
    String guide = Files.readString(Path.of("../docs/operators-guide.md"));
    Matcher m = Pattern.compile("```haproxy\n(.*?)```", Pattern.DOTALL).matcher(guide);
    if (!m.find()) throw new AssertionError("no ```haproxy block in docs/operators-guide.md");
    assertEquals(Files.readString(Haproxy.SHIPPED_CONFIG), m.group(1));
  }
}
