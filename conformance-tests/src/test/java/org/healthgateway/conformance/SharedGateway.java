package org.healthgateway.conformance;

/**
 * One freshly started gateway (no Synthea data, body limit 64 KiB) shared by the test classes that
 * only need the demo users: bad input, read path and metrics. Stopped when the test JVM exits.
 */
final class SharedGateway {

  static final int MAX_BODY_BYTES = 65536;

  private static GatewayProcess shared;

  private SharedGateway() {}

  static synchronized GatewayProcess get() {
    if (shared == null) {
      GatewayProcess process =
          GatewayProcess.create("shared", "--gateway.max-body-bytes=" + MAX_BODY_BYTES);
      Runtime.getRuntime().addShutdownHook(new Thread(process::stop));
      process.start();
      shared = process;
    }
    return shared;
  }
}
