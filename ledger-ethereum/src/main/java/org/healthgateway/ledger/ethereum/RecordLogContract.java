package org.healthgateway.ledger.ethereum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * The ABI of {@code src/main/solidity/RecordLog.sol}: {@code append(bytes[] records)} emits one
 * {@code Record(uint256 indexed seq, bytes data)} per record, {@code seq} counting the contract's
 * records from 0. The creation bytecode is the one the build compiled with npm's solc, read from
 * {@code RecordLog.json} on the class path.
 */
final class RecordLogContract {

  /** {@code event Record(uint256 indexed seq, bytes data)}. */
  static final Event RECORD =
      new Event(
          "Record",
          List.of(new TypeReference<Uint256>(true) {}, new TypeReference<DynamicBytes>() {}));

  /** keccak256 of {@code Record(uint256,bytes)}: topic 0 of every record event. */
  static final String RECORD_TOPIC = EventEncoder.encode(RECORD);

  private static final String RESOURCE = "RecordLog.json";

  /** One record event as read from a log. */
  @SuppressWarnings("ArrayRecordComponent") // event payload, never compared
  record RecordEvent(
      long seq, byte[] data, long blockNumber, String blockHash, String transactionHash) {
    RecordVerifier.Digest dataDigest() {
      return RecordVerifier.Digest.of(data);
    }
  }

  private RecordLogContract() {}

  /** The calldata of {@code append(records)}. */
  static String encodeAppend(List<byte[]> records) {
    List<DynamicBytes> values = new ArrayList<>(records.size());
    for (byte[] record : records) {
      values.add(new DynamicBytes(record));
    }
    Function append =
        new Function("append", List.of(new DynamicArray<>(DynamicBytes.class, values)), List.of());
    return FunctionEncoder.encode(append);
  }

  /**
   * Decodes a {@code Record} event.
   *
   * @throws IllegalArgumentException if the log is not one
   */
  static RecordEvent decode(Log log) {
    List<String> topics = log.getTopics();
    if (topics == null || topics.size() != 2 || !RECORD_TOPIC.equalsIgnoreCase(topics.get(0))) {
      throw new IllegalArgumentException("not a Record event");
    }
    BigInteger seq = Numeric.toBigInt(topics.get(1));
    if (seq.bitLength() > 62) {
      throw new IllegalArgumentException("sequence number out of range");
    }
    List<?> values = FunctionReturnDecoder.decode(log.getData(), RECORD.getNonIndexedParameters());
    if (values.size() != 1 || !(values.get(0) instanceof DynamicBytes bytes)) {
      throw new IllegalArgumentException("Record event without data");
    }
    return new RecordEvent(
        seq.longValueExact(),
        bytes.getValue(),
        log.getBlockNumber().longValueExact(),
        log.getBlockHash(),
        log.getTransactionHash());
  }

  /** The creation bytecode, {@code 0x...}. */
  static String bytecode() {
    return compiled().get("bin").asText();
  }

  /** The ABI as solc wrote it. */
  static JsonNode abi() {
    return compiled().get("abi");
  }

  private static JsonNode compiled() {
    try (InputStream in = RecordLogContract.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " missing: the build compiles it with solc");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
