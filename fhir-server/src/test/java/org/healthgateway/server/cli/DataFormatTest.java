package org.healthgateway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.healthgateway.server.config.DataFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFormatTest {
  @TempDir Path dir;

  @Test
  void requireCurrent_directoryWithoutData_writesTheCurrentVersion() throws Exception {
    Files.writeString(dir.resolve("ethereum-account.json"), "{}");

    DataFormat.requireCurrent(dir);

    assertThat(Files.readString(dir.resolve("FORMAT"))).isEqualTo(DataFormat.CURRENT + "\n");
    DataFormat.requireCurrent(dir);
  }

  @Test
  void requireCurrent_dataWithoutVersionFile_refusesNamingMigrate() throws Exception {
    Files.createDirectories(dir.resolve("ledger"));

    assertThatThrownBy(() -> DataFormat.requireCurrent(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("format 1")
        .hasMessageContaining("java -jar fhir-server.jar migrate " + dir);
    assertThat(dir.resolve("FORMAT")).doesNotExist();
  }

  @Test
  void requireCurrent_newerVersion_refuses() throws Exception {
    Files.writeString(dir.resolve("FORMAT"), (DataFormat.CURRENT + 1) + "\n");

    assertThatThrownBy(() -> DataFormat.requireCurrent(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("written by a newer release");
  }

  @Test
  void requireCurrent_unreadableVersion_refuses() throws Exception {
    Files.writeString(dir.resolve("FORMAT"), "two\n");

    assertThatThrownBy(() -> DataFormat.requireCurrent(dir))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("FORMAT");
  }
}
