package org.healthgateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The CPU time of the server process under test, from Linux's {@code /proc/<pid>/stat}: user plus
 * system time of all its threads (fields 14 {@code utime} and 15 {@code stime}, proc(5)), in clock
 * ticks. Children's time (fields 16, 17) is not counted: the pid must be the server's JVM itself,
 * not a shell or wrapper that started it. {@link #NONE} measures nothing, for a server whose pid is
 * not known (another machine, a container).
 */
final class ServerCpu {

  /** No server process known: every reading is absent. */
  static final ServerCpu NONE = new ServerCpu(-1, 0, "");

  private static final long FALLBACK_TICKS_PER_SECOND = 100;

  /** The fields of {@code /proc/<pid>/stat} the driver uses. */
  record Stat(long pid, String comm, long utimeTicks, long stimeTicks) {

    long cpuTicks() {
      return utimeTicks + stimeTicks;
    }
  }

  private final long pid;
  private final long ticksPerSecond;
  private final String comm;

  private ServerCpu(long pid, long ticksPerSecond, String comm) {
    this.pid = pid;
    this.ticksPerSecond = ticksPerSecond;
    this.comm = comm;
  }

  /**
   * The process {@code pid}, read once now to fail early when it is not there.
   *
   * @throws IOException when {@code /proc/<pid>/stat} cannot be read or parsed
   */
  static ServerCpu of(long pid) throws IOException {
    if (pid <= 0) {
      throw new IllegalArgumentException("a server pid must be positive: " + pid);
    }
    String comm = read(pid).comm();
    return new ServerCpu(pid, clockTicksPerSecond(), comm);
  }

  boolean measures() {
    return pid > 0;
  }

  long pid() {
    return pid;
  }

  long ticksPerSecond() {
    return ticksPerSecond;
  }

  /** The executable's name when first read ({@code java} for a JVM), to show what is measured. */
  String comm() {
    return comm;
  }

  private static Stat read(long pid) throws IOException {
    return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), UTF_8));
  }

  /**
   * The process's CPU time now in clock ticks, or -1 when nothing is measured or the process is
   * gone (a phase then reports no CPU figure rather than a wrong one).
   */
  long ticks() {
    if (!measures()) {
      return -1;
    }
    try {
      return read(pid).cpuTicks();
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("server CPU of pid " + pid + " not readable: " + e);
      return -1;
    }
  }

  /**
   * Parses one {@code /proc/<pid>/stat} line. The second field, {@code comm}, is the executable's
   * name in parentheses and may itself hold spaces and parentheses, so the fields after it are
   * split from the last {@code ')'}.
   *
   * @throws IllegalArgumentException when the line is not shaped like a stat line
   */
  static Stat parse(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 1 || close < open) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + abbreviate(line));
    }
    // After ") ": field 3 (state) is index 0, so field n is index n - 3.
    String[] rest = line.substring(close + 1).strip().split("\\s+", -1);
    if (rest.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc/<pid>/stat: " + abbreviate(line));
    }
    try {
      return new Stat(
          Long.parseLong(line.substring(0, open).strip()),
          line.substring(open + 1, close),
          Long.parseLong(rest[14 - 3]),
          Long.parseLong(rest[15 - 3]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad number in /proc/<pid>/stat: " + abbreviate(line), e);
    }
  }

  /**
   * Server CPU milliseconds per operation: {@code ticks} of CPU over {@code operations}, at {@code
   * ticksPerSecond}; NaN when there is no figure (no operation, no reading).
   */
  static double msPerOp(long ticks, long ticksPerSecond, long operations) {
    if (ticks < 0 || ticksPerSecond <= 0 || operations <= 0) {
      return Double.NaN;
    }
    return ticks * 1000.0 / ticksPerSecond / operations;
  }

  /** {@code getconf CLK_TCK} (USER_HZ), read once; 100, Linux's usual value, if that fails. */
  static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), UTF_8).strip();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        long hz = Long.parseLong(out);
        if (hz > 0) {
          return hz;
        }
      }
    } catch (IOException | NumberFormatException e) {
      System.err.println("getconf CLK_TCK failed (" + e + "), assuming 100 ticks/s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return FALLBACK_TICKS_PER_SECOND;
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
