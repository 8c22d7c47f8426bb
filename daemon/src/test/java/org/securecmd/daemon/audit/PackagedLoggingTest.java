package org.securecmd.daemon.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** The packaged logging set up in code must write exactly what logback writes from the packaged XML. */
class PackagedLoggingTest {
  private static final Path SHIPPED = Path.of("../etc/logback.xml");
  /** One exception for both runs, so its stack trace is the same text in both. */
  private static final Exception BOOM = new IllegalStateException("boom", new RuntimeException("cause"));
  @TempDir Path dir;

  @Test
  void theShippedFileIsRecognisedAndAnyEditIsNot() throws Exception {
    assertTrue(PackagedLogging.isShipped(SHIPPED), "etc/logback.xml is what the jar carries");
    Path edited = dir.resolve("logback.xml");
    Files.writeString(edited, Files.readString(SHIPPED).replace("level=\"INFO\"/>", "level=\"DEBUG\"/>"));
    assertFalse(PackagedLogging.isShipped(edited), "an edited file is logback's to read");
    assertFalse(PackagedLogging.isShipped(dir.resolve("missing.xml")));
    assertFalse(PackagedLogging.isShipped(dir), "a directory");
  }

  @Test
  void thePatternInCodeIsTheShippedFilesPattern() throws Exception {
    Matcher m = Pattern.compile("<pattern>(.*)</pattern>").matcher(Files.readString(SHIPPED));
    assertTrue(m.find(), "etc/logback.xml has one pattern");
    assertEquals(m.group(1), PackagedLogging.PATTERN);
    assertFalse(m.find(), "and only one");
  }

  @Test
  void inCodeAndFromTheXmlTheSameEventsGiveTheSameBytes() throws Exception {
    String fromXml = written(context -> {
      JoranConfigurator joran = new JoranConfigurator();
      joran.setContext(context);
      joran.doConfigure(SHIPPED.toFile());
    });
    String inCode = written(context -> {
      String before = System.getProperty("logback.configurationFile");
      System.setProperty("logback.configurationFile", SHIPPED.toString());
      try {
        PackagedLogging p = new PackagedLogging();
        p.setContext(context);
        assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, p.configure(context));
      } finally {
        if (before == null) System.clearProperty("logback.configurationFile");
        else System.setProperty("logback.configurationFile", before);
      }
    });
    assertTrue(fromXml.contains("INFO  [audit] request conn=1 client=device-0001 ms=0.3\n"), fromXml);
    assertTrue(fromXml.contains("java.lang.IllegalStateException: boom"), fromXml);
    assertFalse(fromXml.contains("hidden"), "DEBUG is below the shipped level");
    assertEquals(fromXml, inCode);
  }

  @Test
  void withAnotherFileLogbackReadsIt() throws Exception {
    Path other = dir.resolve("other.xml");
    Files.writeString(other, Files.readString(SHIPPED).replace("%-5level", "%level"));
    String before = System.getProperty("logback.configurationFile");
    System.setProperty("logback.configurationFile", other.toString());
    try {
      LoggerContext context = new LoggerContext();
      PackagedLogging p = new PackagedLogging();
      p.setContext(context);
      assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, p.configure(context));
      assertFalse(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext(),
          "nothing set up: logback's own configurator reads the file");
    } finally {
      if (before == null) System.clearProperty("logback.configurationFile");
      else System.setProperty("logback.configurationFile", before);
    }
  }

  interface Setup {
    void apply(LoggerContext context) throws Exception;
  }

  /** What a fresh logger context set up by {@code setup} writes to stdout for a few typical events. */
  private static synchronized String written(Setup setup) throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // what SLF4J's provider sets
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      setup.apply(context);
      context.getLogger("securecmd.audit").info("request conn={} client={} ms={}", 1, "device-0001", "0.3");
      context.getLogger("org.securecmd.daemon.Daemon").info("serving on {}", "127.0.0.1:5000");
      context.getLogger("org.securecmd.daemon.server.Server").debug("hidden");
      context.getLogger("org.securecmd.daemon.server.ServedConnection")
          .error("conn 7 failed unexpectedly", BOOM);
      context.stop();
    } finally {
      System.setOut(out);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    if (text.isEmpty()) throw new AssertionError("nothing written; logback said: " + context.getStatusManager().getCopyOfStatusList());
    return text;
  }
}
