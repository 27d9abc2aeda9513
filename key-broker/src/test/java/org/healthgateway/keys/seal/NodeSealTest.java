package org.healthgateway.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import org.healthgateway.keys.KeyPairs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NodeSealTest {
  private static final byte[] HEADER = "HGIS test header".getBytes(StandardCharsets.US_ASCII);

  private static ECKey nodeKey;

  @BeforeAll
  static void keys() throws Exception {
    nodeKey = KeyPairs.generateEc();
  }

  @Test
  void sealThenOpen_returnsTheBody_forEmptyOneChunkAndManyChunks() throws Exception {
    for (int size :
        new int[] {
          0, 1, NodeSeal.CHUNK_BYTES - 1, NodeSeal.CHUNK_BYTES, 2 * NodeSeal.CHUNK_BYTES + 7
        }) {
      byte[] body = body(size);

      byte[] file = seal(body);

      assertThat(open(file)).as("size %d", size).isEqualTo(body);
    }
  }

  @Test
  void sealed_showsTheHeaderButNotTheBody() throws Exception {
    byte[] body = "Patient/alice-in-a-snapshot".repeat(100).getBytes(StandardCharsets.UTF_8);

    String file = new String(seal(body), StandardCharsets.ISO_8859_1);

    assertThat(file).contains("HGIS test header").doesNotContain("alice-in-a-snapshot");
  }

  @Test
  void open_changedHeader_fails() throws Exception {
    byte[] file = seal(body(1000));
    file[5] ^= 0x01;

    assertThatThrownBy(() -> open(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("damaged at chunk 0");
  }

  @Test
  void open_flippedByteInTheBody_fails() throws Exception {
    byte[] file = seal(body(3 * NodeSeal.CHUNK_BYTES));
    file[file.length - NodeSeal.CHUNK_BYTES] ^= 0x01;

    assertThatThrownBy(() -> open(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("damaged at chunk");
  }

  @Test
  void open_lastChunkCutOff_fails() throws Exception {
    byte[] body = body(2 * NodeSeal.CHUNK_BYTES);
    byte[] file = seal(body);
    // two full chunks, the second marked last: drop it whole (4-byte length, body, 16-byte tag)
    byte[] cut = Arrays.copyOf(file, file.length - (4 + NodeSeal.CHUNK_BYTES + 16));

    assertThatThrownBy(() -> open(cut))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cut off at chunk 1");
  }

  @Test
  void open_chunksSwapped_fails() throws Exception {
    byte[] body = body(2 * NodeSeal.CHUNK_BYTES);
    byte[] file = seal(body);
    int chunk = 4 + NodeSeal.CHUNK_BYTES + 16;
    int first = file.length - 2 * chunk;
    byte[] swapped = file.clone();
    System.arraycopy(file, first, swapped, first + chunk, chunk);
    System.arraycopy(file, first + chunk, swapped, first, chunk);

    assertThatThrownBy(() -> open(swapped))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("damaged at chunk 0");
  }

  @Test
  void open_withAnotherNodesKey_isRefused() throws Exception {
    byte[] file = seal(body(10));
    ECKey other = KeyPairs.generateEc();
    InputStream in = new ByteArrayInputStream(file);
    byte[] header = NodeSeal.header(in);

    assertThatThrownBy(() -> NodeSeal.opening(in, header, other))
        .isInstanceOf(GeneralSecurityException.class);
  }

  private static byte[] seal(byte[] body) throws Exception {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (OutputStream out = NodeSeal.sealing(file, HEADER, nodeKey.toPublicJWK())) {
      out.write(body);
    }
    return file.toByteArray();
  }

  private static byte[] open(byte[] file) throws Exception {
    InputStream in = new ByteArrayInputStream(file);
    byte[] header = NodeSeal.header(in);
    try (InputStream body = NodeSeal.opening(in, header, nodeKey)) {
      return body.readAllBytes();
    }
  }

  private static byte[] body(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
