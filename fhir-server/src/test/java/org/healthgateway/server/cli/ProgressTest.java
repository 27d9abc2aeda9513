package org.healthgateway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MIB = 1 << 20;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private long now = 1_000 * SECOND;

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void progress_onTerminal_redrawsOneLineWithRateAndTimeLeft() {
    Progress progress = new Progress("verify", "entries", out, true, () -> now);

    now += 10 * SECOND;
    progress.progress(250_000, 25 * MIB, 100 * MIB);
    now += 10 * SECOND;
    progress.progress(500_000, 50 * MIB, 100 * MIB);
    progress.done();

    String first =
        "verify: 250,000 entries, 25.0 MiB of 100.0 MiB (25%), 25,000 entries/s, 30 s left";
    String second =
        "verify: 500,000 entries, 50.0 MiB of 100.0 MiB (50%), 25,000 entries/s, 20 s left";
    String summary = "verify: 500,000 entries, 50.0 MiB in 20 s (25,000 entries/s)";
    assertThat(output())
        .isEqualTo(
            "\r"
                + first
                + "\r"
                + second
                + "\r"
                + summary
                + " ".repeat(second.length() - summary.length())
                + System.lineSeparator());
  }

  @Test
  void progress_onTerminal_redrawsAtMostFiveTimesASecond() {
    Progress progress = new Progress("backup: ledger", "entries", out, true, () -> now);

    for (int i = 1; i <= 100; i++) {
      now += SECOND / 100;
      progress.progress(i, i, 100);
    }

    assertThat(output().chars().filter(c -> c == '\r').count()).isEqualTo(5);
  }

  @Test
  void progress_notOnTerminal_writesAPlainLineEveryFiveSeconds() {
    Progress progress = new Progress("restore: copy", "files", out, false, () -> now);

    for (int i = 1; i <= 12; i++) {
      now += SECOND;
      progress.progress(i, i * MIB, 24 * MIB);
    }
    progress.done();

    assertThat(output().lines())
        .containsExactly(
            "restore: copy: 5 files, 5.0 MiB of 24.0 MiB (20%), 1 files/s, 19 s left",
            "restore: copy: 10 files, 10.0 MiB of 24.0 MiB (41%), 1 files/s, 14 s left",
            "restore: copy: 12 files, 12.0 MiB in 12 s (1 files/s)");
    assertThat(output()).doesNotContain("\r");
  }

  @Test
  void line_beforeAnyBytes_saysTheTimeLeftIsUnknown() {
    Progress progress = new Progress("migrate: verify", "entries", out, false, () -> now);

    assertThat(progress.line(now)).endsWith("0 entries/s, unknown time left");
  }

  @Test
  void duration_secondsMinutesHours() {
    assertThat(Progress.duration(42 * SECOND)).isEqualTo("42 s");
    assertThat(Progress.duration(187 * SECOND)).isEqualTo("3:07 min");
    assertThat(Progress.duration(3723 * SECOND)).isEqualTo("1:02:03 h");
  }
}
