package org.healthgateway.server.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.healthgateway.ledger.embedded.LedgerProgress;

/**
 * Shows how far a command has come: entries (or files), bytes, entries per second and the time left
 * (from the byte rate), redrawn on one line with {@code \r} on a terminal (5 times a second at
 * most), as a plain line every 5 seconds otherwise (a log file, a pipe), and a summary line at the
 * end.
 */
public final class Progress implements LedgerProgress {
  private static final long TERMINAL_NANOS = 200_000_000L;
  private static final long PLAIN_NANOS = 5_000_000_000L;

  private final String label;
  private final String unit;
  private final PrintStream out;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final long started;
  private long lastShown;
  private int lastLength;
  private long entries;
  private long bytes;
  private long totalBytes;

  Progress(String label, String unit, PrintStream out, boolean terminal, LongSupplier nanoTime) {
    this.label = label;
    this.unit = unit;
    this.out = out;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
    this.started = nanoTime.getAsLong();
    this.lastShown = started;
  }

  /** Progress in ledger entries on standard output, redrawn in place if it is a terminal. */
  public static Progress of(String label) {
    return of(label, "entries");
  }

  /** Progress counted in {@code unit} (e.g. {@code files}) on standard output. */
  public static Progress of(String label, String unit) {
    return new Progress(label, unit, System.out, onTerminal(), System::nanoTime);
  }

  /**
   * Whether standard input and output are a terminal: {@code System.console() != null} up to JDK
   * 21; from JDK 22 the console exists also when output is redirected, and {@code isTerminal()}
   * (absent before 22) tells.
   */
  @SuppressWarnings("SystemConsoleNull") // the JDK 22 case is handled by isTerminal
  static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  @Override
  public void progress(long entries, long bytes, long totalBytes) {
    this.entries = entries;
    this.bytes = bytes;
    this.totalBytes = totalBytes;
    long now = nanoTime.getAsLong();
    if (now - lastShown < (terminal ? TERMINAL_NANOS : PLAIN_NANOS)) {
      return;
    }
    lastShown = now;
    show(line(now));
  }

  /** Ends the display with a summary line: what was done, in how long, at what rate. */
  public void done() {
    long elapsed = nanoTime.getAsLong() - started;
    show(
        String.format(
            Locale.ROOT,
            "%s: %,d %s, %s in %s (%,d %s/s)",
            label,
            entries,
            unit,
            mebibytes(bytes),
            duration(elapsed),
            perSecond(entries, elapsed),
            unit));
    if (terminal) {
      out.println();
    }
    out.flush();
  }

  /** The progress line at {@code now}. */
  String line(long now) {
    long elapsed = now - started;
    String percent =
        totalBytes > 0
            ? String.format(Locale.ROOT, " (%d%%)", Math.min(100, bytes * 100 / totalBytes))
            : "";
    return String.format(
        Locale.ROOT,
        "%s: %,d %s, %s of %s%s, %,d %s/s, %s left",
        label,
        entries,
        unit,
        mebibytes(bytes),
        mebibytes(totalBytes),
        percent,
        perSecond(entries, elapsed),
        unit,
        timeLeft(elapsed));
  }

  private String timeLeft(long elapsed) {
    if (bytes <= 0 || elapsed <= 0) {
      return "unknown time";
    }
    long remaining = Math.max(0, totalBytes - bytes);
    return duration((long) ((double) remaining * elapsed / bytes));
  }

  private void show(String line) {
    if (terminal) {
      int pad = Math.max(0, lastLength - line.length());
      out.print("\r" + line + " ".repeat(pad));
      lastLength = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  private static long perSecond(long count, long nanos) {
    return nanos <= 0 ? 0 : (long) (count * 1e9 / nanos);
  }

  static String mebibytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /** {@code 42 s}, {@code 3:07 min} or {@code 1:02:03 h}. */
  static String duration(long nanos) {
    long seconds = Math.round(nanos / 1e9);
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%d:%02d min", seconds / 60, seconds % 60);
    }
    return String.format(
        Locale.ROOT, "%d:%02d:%02d h", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
}
