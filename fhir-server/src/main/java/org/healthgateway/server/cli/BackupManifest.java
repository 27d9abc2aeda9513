package org.healthgateway.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code <backup-dir>/BACKUP}, written last by {@code backup}, so that a backup without it is
 * incomplete. Text, one item per line:
 *
 * <pre>
 * gateway-backup 1
 * created 2026-12-04T21:00:00Z
 * ledger &lt;tree size&gt; &lt;checkpoint time&gt;        (absent without an embedded ledger)
 * file &lt;sha-256 hex&gt; &lt;size&gt; &lt;path&gt;         (one per file, path relative, '/')
 * </pre>
 *
 * The hashes catch damage the ledger verifier cannot see (keystore, vault, node key); they are not
 * a signature: the ledger verifier, which trusts only the node key, is what refuses forged records.
 */
record BackupManifest(
    Instant created, long ledgerEntries, Instant checkpointTime, List<Item> files) {
  static final String FILE = "BACKUP";
  private static final String HEADER = "gateway-backup 1";
  private static final Pattern ITEM = Pattern.compile("file ([0-9a-f]{64}) (\\d{1,19}) (\\S.*)");
  private static final Pattern LEDGER = Pattern.compile("ledger (\\d{1,19}) (\\S+)");

  /** One copied file: its path relative to the backup directory, size and SHA-256. */
  record Item(String path, long size, String sha256) {}

  BackupManifest {
    files = List.copyOf(files);
  }

  boolean hasLedger() {
    return ledgerEntries >= 0;
  }

  void write(Path backupDir) throws IOException {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    text.append("created ").append(created).append('\n');
    if (hasLedger()) {
      text.append("ledger ").append(ledgerEntries).append(' ').append(checkpointTime).append('\n');
    }
    for (Item item : files) {
      text.append("file ")
          .append(item.sha256())
          .append(' ')
          .append(item.size())
          .append(' ')
          .append(item.path())
          .append('\n');
    }
    Path file = backupDir.resolve(FILE);
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    CopiedFiles.syncDirectory(backupDir);
  }

  /**
   * Reads the manifest of {@code backupDir}.
   *
   * @throws IOException if it is missing or malformed, or names a path outside the backup
   */
  static BackupManifest read(Path backupDir) throws IOException {
    Path file = backupDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException("no " + FILE + " in " + backupDir + ": not a complete backup");
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.size() < 2 || !lines.get(0).equals(HEADER) || !lines.get(1).startsWith("created ")) {
      throw new IOException(file + " is not a backup manifest of this release");
    }
    try {
      return parse(file, lines);
    } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
      throw new IOException(file + " is not a backup manifest of this release", e);
    }
  }

  private static BackupManifest parse(Path file, List<String> lines) throws IOException {
    Instant created = Instant.parse(lines.get(1).substring("created ".length()));
    long entries = -1;
    Instant checkpointTime = null;
    List<Item> items = new ArrayList<>();
    for (String line : lines.subList(2, lines.size())) {
      Matcher ledger = LEDGER.matcher(line);
      Matcher item = ITEM.matcher(line);
      if (ledger.matches()) {
        entries = Long.parseLong(ledger.group(1));
        checkpointTime = Instant.parse(ledger.group(2));
      } else if (item.matches() && isInside(item.group(3))) {
        items.add(new Item(item.group(3), Long.parseLong(item.group(2)), item.group(1)));
      } else {
        throw new IOException(file + ": unexpected line " + line);
      }
    }
    return new BackupManifest(created, entries, checkpointTime, items);
  }

  /** A relative path without {@code ..}, so that a manifest cannot write outside the target. */
  private static boolean isInside(String path) {
    Path relative = Path.of(path);
    return !relative.isAbsolute()
        && relative.normalize().equals(relative)
        && !relative.startsWith("..")
        && !path.contains("\\");
  }
}
