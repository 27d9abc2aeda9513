package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The at-rest scanner finds raw and JSON-escaped needles and nothing in random bytes. */
@Order(1)
class PlaintextScannerTest {

  @Test
  void scan_rawEscapedAndRandom_findsOnlyPlantedNeedles(@TempDir Path dir) throws Exception {
    byte[] random = new byte[3 << 20];
    new Random(42).nextBytes(random);
    Files.write(dir.resolve("random.bin"), random);
    PlaintextScanner scanner = new PlaintextScanner();
    scanner.add("Godínez202", "test");
    scanner.add("Hello \"World\"", "test");
    assertThat(scanner.scan(dir)).isEmpty();

    byte[] planted = random.clone();
    byte[] needle = "xx God\\u00EDnez202 yy".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(needle, 0, planted, 1_000_000, needle.length);
    Files.write(dir.resolve("z-planted.bin"), planted);
    assertThat(scanner.scan(dir))
        .hasValueSatisfying(
            hit -> {
              assertThat(hit.text()).isEqualTo("Godínez202");
              assertThat(hit.offset()).isEqualTo(1_000_003);
            });

    Files.writeString(dir.resolve("z-planted.bin"), "..Hello \\\"World\\\"..");
    assertThat(scanner.scan(dir)).isPresent();
  }
}
