package org.healthgateway.server;

import org.healthgateway.server.cli.VerifyCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Starts the gateway, or with {@code verify <data-dir>} checks a ledger offline and exits. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("verify")) {
      System.exit(VerifyCommand.run(args));
    }
    SpringApplication.run(GatewayApplication.class, args);
  }
}
