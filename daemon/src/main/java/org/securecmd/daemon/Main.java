package org.securecmd.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.daemon.server.BoundListener;
import org.securecmd.daemon.systemd.SystemdEnvironment;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code securecmdd [--config FILE] [--check-config]}: the process around the daemon. Parses the command line,
 * reads the environment once, hands over to {@link Daemon}, turns TERM and INT into a graceful stop and HUP
 * into a reload, and sets the exit code.
 */
public final class Main {
  static final String USAGE = """
      usage: securecmdd [--config FILE] [--check-config]
        --config FILE    configuration (default %s)
        --check-config   validate the configuration and the files it names, then exit (0 valid, 1 not)
        --version        print the version""".formatted(ConfigLoader.DEFAULT_FILE);

  private Main() {}

  public static void main(String[] args) {
    StartupPhases phases = new StartupPhases(); // first: its clock starts when main is entered
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
      if (!checkOnly) CryptoWarmup.start(); // beside the config parse, as logging's setup
      if (checkOnly) {
        Daemon.checkConfig(config);
        System.out.println(config + ": configuration OK");
        return;
      }
      // The one read of the environment: the daemon gets values, so a test's daemon never sees ours.
      runUntilStopped(new Daemon(config, Clock.systemUTC(), SystemdEnvironment.from(System.getenv()),
          Daemon.CRL_POLL_INTERVAL), phases);
    } catch (ConfigException e) {
      System.err.println("securecmdd: " + e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      System.err.println("securecmdd: cannot start: " + e.getMessage());
      System.exit(1);
    }
    System.exit(0);
  }

  /** Starts {@code daemon}; returns once TERM or INT asked to stop and the connections drained. */
  private static void runUntilStopped(Daemon daemon, StartupPhases phases) throws ConfigException, IOException, InterruptedException {
    CountDownLatch stopRequested = new CountDownLatch(1);
    // sun.misc.Signal (jdk.unsupported) is the JDK's only way to catch SIGTERM without a shutdown hook,
    // which could not exit 0 after a graceful stop. Each signal runs its handler on a new thread. Installed
    // before READY=1, so that systemd's first reload finds the handler.
    Signal.handle(new Signal("TERM"), s -> stopRequested.countDown());
    Signal.handle(new Signal("INT"), s -> stopRequested.countDown());
    ReloadSignal hup = new ReloadSignal();
    if (Signal.handle(new Signal("HUP"), s -> hup.signalled()) == SignalHandler.SIG_IGN) {
      // The JVM leaves a signal the starting process ignored (nohup, some supervisors) ignored: say so once.
      LoggerFactory.getLogger(Daemon.class).warn("SIGHUP is ignored in this process (it was started with SIGHUP "
          + "ignored, e.g. by nohup): reload with securecmdctl reload");
    }
    Daemon.Started started = daemon.start(c -> new BoundListener(c.server().listen()), phases);
    hup.started(started::reloadOnSignal);
    stopRequested.await();
    started.stop();
  }

  private static void usage(String message) {
    System.err.println("securecmdd: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}
