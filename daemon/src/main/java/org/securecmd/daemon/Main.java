package org.securecmd.daemon;

import java.nio.file.Path;
import java.time.Clock;
import org.securecmd.daemon.config.ConfigException;
import org.slf4j.LoggerFactory;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.daemon.systemd.SystemdEnvironment;

/** {@code securecmdd [--config FILE] [--check-config]}: parses the command line and hands over to {@link Daemon}. */
public final class Main {
  static final String USAGE = """
      usage: securecmdd [--config FILE] [--check-config]
        --config FILE    configuration (default %s)
        --check-config   validate the configuration and the files it names, then exit (0 valid, 1 not)
        --version        print the version""".formatted(ConfigLoader.DEFAULT_FILE);

  private Main() {}

  public static void main(String[] args) {
    // Logging's setup (logback reading its XML) was the largest part of a cold start: about 0.5 s of 1.2 s
    // without the AOT cache, measured with -Xlog:class+load (bench/cold-start.sh). It runs on a second thread
    // beside the config parse and the TLS loading; SLF4J hands out loggers that wait for it meanwhile.
    Thread.ofPlatform().name("logging-setup").daemon(true).start(LoggerFactory::getILoggerFactory);
    Path config = ConfigLoader.DEFAULT_FILE;
    boolean checkOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> {
          if (++i >= args.length) usage("--config needs a file");
          config = Path.of(args[i]);
        }
        case "--check-config" -> checkOnly = true;
        case "--version" -> {
          System.out.println("securecmdd " + Daemon.version());
          return;
        }
        case "--help", "-h" -> {
          System.out.println(USAGE);
          return;
        }
        default -> usage("unknown argument " + args[i]);
      }
    }
    try {
      if (checkOnly) {
        Daemon.checkConfig(config);
        System.out.println(config + ": configuration OK");
        return;
      }
      // The one read of the environment: the daemon gets values, so a test's daemon never sees ours.
      new Daemon(config, Clock.systemUTC(), SystemdEnvironment.from(System.getenv()), Daemon.CRL_POLL_INTERVAL)
          .runUntilStopped();
    } catch (ConfigException e) {
      System.err.println("securecmdd: " + e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      System.err.println("securecmdd: cannot start: " + e.getMessage());
      System.exit(1);
    }
    System.exit(0);
  }

  private static void usage(String message) {
    System.err.println("securecmdd: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}
