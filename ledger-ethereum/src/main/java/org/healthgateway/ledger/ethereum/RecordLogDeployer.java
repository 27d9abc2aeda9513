package org.healthgateway.ledger.ethereum;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;
import org.healthgateway.ledger.LedgerException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** Deploys the {@code RecordLog} contract compiled in the build. */
public final class RecordLogDeployer {

  /**
   * The address and creation block of a new contract.
   *
   * @param address the contract address, {@code 0x...}
   * @param block the block it was created in: a follower's start block
   */
  public record Deployed(String address, long block) {}

  private RecordLogDeployer() {}

  /**
   * Sends the creation transaction from {@code account} and waits for its receipt.
   *
   * @throws LedgerException if the node refuses it or it is not mined within {@code timeout}
   */
  public static Deployed deploy(Web3j web3j, Credentials account, Duration timeout)
      throws LedgerException {
    try {
      long chainId = web3j.ethChainId().send().getChainId().longValueExact();
      BigInteger nonce =
          web3j
              .ethGetTransactionCount(account.getAddress(), DefaultBlockParameterName.PENDING)
              .send()
              .getTransactionCount();
      BigInteger gasPrice = web3j.ethGasPrice().send().getGasPrice();
      RawTransaction raw =
          RawTransaction.createContractTransaction(
              nonce,
              gasPrice,
              BigInteger.valueOf(1_000_000),
              BigInteger.ZERO,
              RecordLogContract.bytecode());
      byte[] signed = TransactionEncoder.signMessage(raw, chainId, account);
      EthSendTransaction sent = web3j.ethSendRawTransaction(Numeric.toHexString(signed)).send();
      if (sent.hasError()) {
        throw new LedgerException("node refused the deployment: " + sent.getError().getMessage());
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        Optional<TransactionReceipt> receipt =
            web3j
                .ethGetTransactionReceipt(sent.getTransactionHash())
                .send()
                .getTransactionReceipt();
        if (receipt.isPresent()) {
          if (!receipt.get().isStatusOK() || receipt.get().getContractAddress() == null) {
            throw new LedgerException("deployment of RecordLog failed on the chain");
          }
          return new Deployed(
              receipt.get().getContractAddress(), receipt.get().getBlockNumber().longValueExact());
        }
        Thread.sleep(100);
      }
      throw new LedgerException("deployment of RecordLog not mined within " + timeout);
    } catch (IOException e) {
      throw new LedgerException("cannot reach the Ethereum node: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerException("interrupted while deploying", e);
    }
  }
}
