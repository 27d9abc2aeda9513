package org.healthgateway.server;

import org.healthgateway.server.cli.BackupCommand;
import org.healthgateway.server.cli.EthereumAccountCommand;
import org.healthgateway.server.cli.MigrateCommand;
import org.healthgateway.server.cli.RestoreCommand;
import org.healthgateway.server.cli.VerifyCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts the gateway; {@code verify <data-dir>} checks a ledger offline, {@code ethereum-account
 * <data-dir> [--import]} writes the account of the {@code ethereum} ledger, {@code backup}, {@code
 * restore} and {@code migrate} copy and convert data directories (fhir-server/README.md), and each
 * exits.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("verify")) {
      System.exit(VerifyCommand.run(args));
    }
    if (args.length > 0 && args[0].equals("ethereum-account")) {
      System.exit(EthereumAccountCommand.run(args));
    }
    if (args.length > 0 && args[0].equals("backup")) {
      System.exit(BackupCommand.run(args));
    }
    if (args.length > 0 && args[0].equals("restore")) {
      System.exit(RestoreCommand.run(args));
    }
    if (args.length > 0 && args[0].equals("migrate")) {
      System.exit(MigrateCommand.run(args));
    }
    SpringApplication.run(GatewayApplication.class, args);
  }
}
