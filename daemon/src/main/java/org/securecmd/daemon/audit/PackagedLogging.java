package org.securecmd.daemon.audit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Logging's setup without reading XML when {@code logback.configurationFile} is the packaged
 * {@code /etc/securecmd/logback.xml} unchanged: the same appender, pattern and levels, set up in code.
 * Reading that XML (logback's Joran, the JDK's SAX parser: some 300 classes) was the largest part of a cold
 * start (bench/cold-start.sh). An edited file, another file, or none is left to logback's own configurators,
 * so an operator's logback.xml means what logback documents. Found by logback through
 * {@code META-INF/services}, ahead of its own (rank above theirs).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class PackagedLogging extends ContextAwareBase implements Configurator {
  /** The packaged file, as shipped (etc/logback.xml); the build copies it into the jar here (daemon/pom.xml). */
  static final String SHIPPED = "/org/securecmd/daemon/packaged/logback.xml";
  /** Its one pattern; {@code PackagedLoggingTest} checks that the shipped file says the same. */
  static final String PATTERN = "%-5level [%logger{0}] %msg%n";

  public PackagedLogging() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    String file = System.getProperty("logback.configurationFile");
    if (file == null || !isShipped(Path.of(file))) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
    stdout.setContext(context);
    stdout.setName("STDOUT");
    stdout.setEncoder(encoder);
    stdout.start();
    context.getLogger("securecmd.audit").setLevel(Level.INFO);
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stdout);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Whether {@code file} holds exactly the packaged configuration (any difference: logback reads it). */
  static boolean isShipped(Path file) {
    try (InputStream shipped = PackagedLogging.class.getResourceAsStream(SHIPPED)) {
      if (shipped == null) return false;
      return Arrays.equals(shipped.readAllBytes(), Files.readAllBytes(file));
    } catch (IOException | RuntimeException e) {
      return false; // unreadable or not a file: logback's own configurator reports it
    }
  }
}
