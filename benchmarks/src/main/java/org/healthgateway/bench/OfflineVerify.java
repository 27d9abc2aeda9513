package org.healthgateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's offline check, {@code java -jar gateway.jar verify <data-dir>}, as a child process.
 */
final class OfflineVerify {

  /**
   * What {@code verify <data-dir>} said: exit code (-1 if it was killed for taking too long), its
   * last output line, and seconds from spawn to exit (JVM start included).
   */
  record Verified(int exit, String lastLine, double seconds) {}

  private OfflineVerify() {}

  /**
   * Runs {@code java [jvm args] -jar gateway.jar verify <data-dir>} of {@code setup} to its end, or
   * kills it after {@code timeout}.
   */
  static Verified run(ScaleGateway.Setup setup, Duration timeout)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ScaleGateway.javaTool("java"));
    command.addAll(setup.jvmArgs());
    command.addAll(List.of("-jar", setup.jar().toString(), "verify", setup.dataDir().toString()));
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // The verdict is one line; a reader thread keeps a chatty JVM from blocking on a full pipe.
    StringBuilder out = new StringBuilder();
    Thread reader =
        new Thread(
            () -> {
              try {
                out.append(new String(p.getInputStream().readAllBytes(), UTF_8));
              } catch (IOException e) {
                out.append(e);
              }
            },
            "verify-output");
    reader.start();
    int exit = -1;
    if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      exit = p.exitValue();
    } else {
      p.destroyForcibly().waitFor();
    }
    reader.join();
    String[] lines = out.toString().strip().split("\n", -1);
    String last = exit == -1 ? "killed after " + timeout : lines[lines.length - 1];
    return new Verified(exit, last, (System.nanoTime() - t0) / 1e9);
  }
}
