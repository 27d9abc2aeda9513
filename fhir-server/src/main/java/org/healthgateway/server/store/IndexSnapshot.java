package org.healthgateway.server.store;

import com.nimbusds.jose.jwk.JWK;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.seal.NodeSeal;

/**
 * The record store's index at one ledger size, in a file sealed for the node ({@link NodeSeal}), so
 * that a restart reads it and replays only the ledger's tail instead of every entry. The header
 * names the tree size and the ledger's Merkle root at that size; a snapshot whose root is not the
 * ledger's is never used. The format is in the module README ("Index snapshot").
 */
final class IndexSnapshot {
  /** "HGIS". */
  static final int MAGIC = 0x48474953;

  static final int VERSION = 1;
  private static final int HEADER_BYTES = 4 + 4 + 8 + 32 + 8;

  /** What the header says: the tree size and root the snapshot belongs to, and when it was made. */
  static final class Header {
    private final long treeSize;
    private final byte[] rootHash;
    private final Instant written;

    Header(long treeSize, byte[] rootHash, Instant written) {
      this.treeSize = treeSize;
      this.rootHash = rootHash.clone();
      this.written = written;
    }

    long treeSize() {
      return treeSize;
    }

    byte[] rootHash() {
      return rootHash.clone();
    }

    Instant written() {
      return written;
    }

    byte[] encode() {
      return ByteBuffer.allocate(HEADER_BYTES)
          .putInt(MAGIC)
          .putInt(VERSION)
          .putLong(treeSize)
          .put(rootHash)
          .putLong(written.toEpochMilli())
          .array();
    }

    static Header decode(byte[] bytes) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      if (bytes.length != HEADER_BYTES || buffer.getInt() != MAGIC) {
        throw new IOException("not an index snapshot");
      }
      int version = buffer.getInt();
      if (version != VERSION) {
        throw new IOException("index snapshot of unknown version " + version);
      }
      long treeSize = buffer.getLong();
      byte[] root = new byte[32];
      buffer.get(root);
      return new Header(treeSize, root, Instant.ofEpochMilli(buffer.getLong()));
    }
  }

  /**
   * The index below a tree size: every version of every resource, the directory identifiers, and
   * the positions of the entries that are not versions.
   */
  static final class Contents {
    private final List<List<VersionMeta>> histories;
    private final Map<String, Set<String>> identifiers;
    private final long[] factPositions;

    Contents(
        List<List<VersionMeta>> histories,
        Map<String, Set<String>> identifiers,
        long[] factPositions) {
      this.histories = histories;
      this.identifiers = identifiers;
      this.factPositions = factPositions;
    }

    List<List<VersionMeta>> histories() {
      return histories;
    }

    Map<String, Set<String>> identifiers() {
      return identifiers;
    }

    long[] factPositions() {
      return factPositions;
    }

    /** Versions plus other entries: equals the tree size when the capture is complete. */
    long entries() {
      long versions = 0;
      for (List<VersionMeta> history : histories) {
        versions += history.size();
      }
      return versions + factPositions.length;
    }
  }

  private IndexSnapshot() {}

  /** Captures what the index and the positions hold below {@code treeSize}. */
  static Contents capture(ResourceIndex index, FactPositions facts, long treeSize) {
    List<List<VersionMeta>> histories = new ArrayList<>();
    index.forEachHistory(
        versions -> {
          List<VersionMeta> below = new ArrayList<>(versions.size());
          for (VersionMeta meta : versions) {
            if (meta.ledgerIndex() < treeSize) {
              below.add(meta);
            }
          }
          if (!below.isEmpty()) {
            histories.add(below);
          }
        });
    Map<String, Set<String>> identifiers = new HashMap<>();
    index.forEachIdentifier((key, ids) -> identifiers.put(key, Set.copyOf(ids)));
    return new Contents(histories, identifiers, facts.below(treeSize));
  }

  /** Writes the snapshot atomically: temporary file, fsync, rename, fsync of the directory. */
  static void write(Path file, Header header, Contents contents, JWK nodePublicKey)
      throws IOException, GeneralSecurityException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream raw = Files.newOutputStream(temp);
        DataOutputStream out =
            new DataOutputStream(
                new BufferedOutputStream(
                    NodeSeal.sealing(raw, header.encode(), nodePublicKey), 1 << 16))) {
      writeBody(out, contents);
    }
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      directory.force(true);
    }
  }

  /** Reads only the clear header. */
  static Header readHeader(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Header.decode(NodeSeal.header(in));
    }
  }

  /**
   * Reads the snapshot's contents, sharing strings and sets through {@code shared} and {@code
   * sharedSet} as the store does for what it decodes from the ledger.
   *
   * @throws IOException if the file is damaged, cut off or not this node's
   */
  static Contents read(
      Path file,
      JWK nodePrivateKey,
      UnaryOperator<String> shared,
      UnaryOperator<Set<String>> sharedSet)
      throws IOException {
    try (InputStream raw = Files.newInputStream(file)) {
      byte[] header = NodeSeal.header(raw);
      Header.decode(header);
      try (DataInputStream in =
          new DataInputStream(
              new BufferedInputStream(NodeSeal.opening(raw, header, nodePrivateKey), 1 << 16))) {
        Contents contents = readBody(in, shared, sharedSet);
        if (in.read() != -1) {
          throw new IOException("index snapshot has bytes after its contents");
        }
        return contents;
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("index snapshot is not sealed for this node: " + e.getMessage(), e);
    }
  }

  private static void writeBody(DataOutputStream out, Contents contents) throws IOException {
    Map<String, Integer> strings = new HashMap<>();
    List<String> stringTable = new ArrayList<>();
    Map<Set<String>, Integer> sets = new HashMap<>();
    List<Set<String>> setTable = new ArrayList<>();
    for (List<VersionMeta> history : contents.histories()) {
      for (VersionMeta meta : history) {
        intern(strings, stringTable, meta.type());
        intern(strings, stringTable, meta.author());
        if (meta.patientId() != null) {
          intern(strings, stringTable, meta.patientId());
        }
        for (Set<String> set : List.of(meta.grantKeyIds(), meta.categories())) {
          if (!sets.containsKey(set)) {
            sets.put(set, setTable.size());
            setTable.add(set);
            set.forEach(s -> intern(strings, stringTable, s));
          }
        }
      }
    }
    out.writeInt(stringTable.size());
    for (String s : stringTable) {
      out.writeUTF(s);
    }
    out.writeInt(setTable.size());
    for (Set<String> set : setTable) {
      out.writeInt(set.size());
      for (String s : set) {
        out.writeInt(strings.get(s));
      }
    }
    out.writeInt(contents.histories().size());
    for (List<VersionMeta> history : contents.histories()) {
      VersionMeta first = history.get(0);
      out.writeInt(strings.get(first.type()));
      out.writeUTF(first.id());
      out.writeInt(history.size());
      for (VersionMeta meta : history) {
        out.writeLong(meta.version());
        out.writeLong(meta.ledgerIndex());
        Instant lastUpdated = meta.lastUpdated();
        out.writeLong(lastUpdated.getEpochSecond());
        out.writeInt(lastUpdated.getNano());
        out.writeBoolean(meta.deleted());
        out.writeInt(strings.get(meta.author()));
        out.writeInt(meta.patientId() == null ? -1 : strings.get(meta.patientId()));
        out.writeInt(sets.get(meta.grantKeyIds()));
        out.writeInt(sets.get(meta.categories()));
      }
    }
    out.writeInt(contents.identifiers().size());
    for (Map.Entry<String, Set<String>> entry : contents.identifiers().entrySet()) {
      out.writeUTF(entry.getKey());
      out.writeInt(entry.getValue().size());
      for (String id : entry.getValue()) {
        out.writeUTF(id);
      }
    }
    out.writeInt(contents.factPositions().length);
    for (long position : contents.factPositions()) {
      out.writeLong(position);
    }
  }

  private static void intern(Map<String, Integer> strings, List<String> table, String value) {
    if (!strings.containsKey(value)) {
      strings.put(value, table.size());
      table.add(value);
    }
  }

  private static Contents readBody(
      DataInputStream in, UnaryOperator<String> shared, UnaryOperator<Set<String>> sharedSet)
      throws IOException {
    String[] strings = new String[count(in)];
    for (int i = 0; i < strings.length; i++) {
      strings[i] = shared.apply(in.readUTF());
    }
    List<Set<String>> sets = new ArrayList<>();
    for (int i = count(in); i > 0; i--) {
      Set<String> set = new LinkedHashSet<>();
      for (int j = count(in); j > 0; j--) {
        set.add(string(strings, in.readInt()));
      }
      sets.add(sharedSet.apply(Set.copyOf(set)));
    }
    List<List<VersionMeta>> histories = new ArrayList<>();
    for (int i = count(in); i > 0; i--) {
      String type = string(strings, in.readInt());
      String id = in.readUTF();
      int versions = count(in);
      List<VersionMeta> history = new ArrayList<>(versions);
      for (int j = 0; j < versions; j++) {
        long version = in.readLong();
        long ledgerIndex = in.readLong();
        Instant lastUpdated = Instant.ofEpochSecond(in.readLong(), in.readInt());
        boolean deleted = in.readBoolean();
        String author = string(strings, in.readInt());
        int patient = in.readInt();
        Set<String> grants = set(sets, in.readInt());
        Set<String> categories = set(sets, in.readInt());
        history.add(
            new VersionMeta(
                type,
                id,
                version,
                ledgerIndex,
                lastUpdated,
                deleted,
                author,
                patient < 0 ? null : string(strings, patient),
                grants,
                categories));
      }
      histories.add(history);
    }
    Map<String, Set<String>> identifiers = new HashMap<>();
    for (int i = count(in); i > 0; i--) {
      String key = in.readUTF();
      Set<String> ids = new LinkedHashSet<>();
      for (int j = count(in); j > 0; j--) {
        ids.add(in.readUTF());
      }
      identifiers.put(key, ids);
    }
    long[] positions = new long[count(in)];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = in.readLong();
    }
    return new Contents(histories, identifiers, positions);
  }

  private static int count(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0) {
      throw new IOException("index snapshot holds a negative count");
    }
    return count;
  }

  private static String string(String[] strings, int index) throws IOException {
    if (index < 0 || index >= strings.length) {
      throw new IOException("index snapshot refers to string " + index + " it does not hold");
    }
    return strings[index];
  }

  private static Set<String> set(List<Set<String>> sets, int index) throws IOException {
    if (index < 0 || index >= sets.size()) {
      throw new IOException("index snapshot refers to set " + index + " it does not hold");
    }
    return sets.get(index);
  }
}
