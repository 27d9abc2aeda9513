package org.healthgateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ServerCpuTest {

  private static String fixture(String name) throws IOException {
    try (InputStream in = ServerCpuTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  @Test
  void parse_javaProcess_readsUtimeAndStime() throws IOException {
    ServerCpu.Stat stat = ServerCpu.parse(fixture("proc-stat-java.txt"));

    assertThat(stat).isEqualTo(new ServerCpu.Stat(48213, "java", 8123, 1377));
    assertThat(stat.cpuTicks()).isEqualTo(9500);
  }

  @Test
  void parse_commWithSpace_countsFieldsAfterTheParenthesis() throws IOException {
    ServerCpu.Stat stat = ServerCpu.parse(fixture("proc-stat-comm-with-space.txt"));

    assertThat(stat).isEqualTo(new ServerCpu.Stat(3141, "Web Content", 512, 64));
  }

  @Test
  void parse_commWithParentheses_splitsAfterTheLastOne() throws IOException {
    ServerCpu.Stat stat = ServerCpu.parse(fixture("proc-stat-comm-with-parens.txt"));

    // cutime and cstime (1000, 2000) are the children's and not counted.
    assertThat(stat).isEqualTo(new ServerCpu.Stat(777, "a) b) (c", 25, 75));
  }

  @Test
  void parse_truncatedLine_throws() throws IOException {
    String line = fixture("proc-stat-java.txt");
    String truncated = line.substring(0, line.indexOf(" 8123"));

    assertThatThrownBy(() -> ServerCpu.parse(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too few fields");
  }

  @Test
  void parse_noParentheses_throws() {
    assertThatThrownBy(() -> ServerCpu.parse("48213 java S 1 2 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a /proc/<pid>/stat line");
  }

  @Test
  void parse_nonNumericTicks_throws() throws IOException {
    String line = fixture("proc-stat-java.txt").replace(" 8123 ", " x ");

    assertThatThrownBy(() -> ServerCpu.parse(line))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad number");
  }

  @Test
  void msPerOp_ticksOverOperations_isMilliseconds() {
    // 250 ticks at 100/s = 2.5 s of CPU over 1,000 operations.
    assertThat(ServerCpu.msPerOp(250, 100, 1000)).isEqualTo(2.5);
    // The same CPU time at USER_HZ 250 (625 ticks).
    assertThat(ServerCpu.msPerOp(625, 250, 1000)).isEqualTo(2.5);
    assertThat(ServerCpu.msPerOp(0, 100, 7)).isZero();
  }

  @Test
  void msPerOp_deltaOfTwoReadings_isTheServersCpuBetweenThem() throws IOException {
    ServerCpu.Stat before = ServerCpu.parse(fixture("proc-stat-java.txt"));
    ServerCpu.Stat after =
        ServerCpu.parse(fixture("proc-stat-java.txt").replace(" 8123 1377 ", " 8600 1500 "));

    long delta = after.cpuTicks() - before.cpuTicks();

    assertThat(delta).isEqualTo(600);
    assertThat(ServerCpu.msPerOp(delta, 100, 300)).isEqualTo(20.0);
  }

  @Test
  void msPerOp_noReadingOrNoOperation_isNaN() {
    assertThat(ServerCpu.msPerOp(-1, 100, 10)).isNaN();
    assertThat(ServerCpu.msPerOp(10, 100, 0)).isNaN();
    assertThat(ServerCpu.msPerOp(10, 0, 10)).isNaN();
  }

  @Test
  void of_noSuchProcess_throws() {
    assertThatThrownBy(() -> ServerCpu.of(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void of_thisProcess_readsGrowingCpuTime() throws IOException {
    ServerCpu cpu = ServerCpu.of(ProcessHandle.current().pid());

    assertThat(cpu.comm()).isEqualTo("java");
    assertThat(cpu.ticksPerSecond()).isPositive();
    assertThat(cpu.ticks()).isNotNegative();
    assertThat(ServerCpu.NONE.ticks()).isEqualTo(-1);
  }
}
