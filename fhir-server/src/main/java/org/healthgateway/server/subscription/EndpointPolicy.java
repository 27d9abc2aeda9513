package org.healthgateway.server.subscription;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/** Where rest-hook notifications may go. Skeleton: accepts every endpoint, as before issue 9. */
final class EndpointPolicy {

  /** Why an endpoint is refused: {@code message} for the client, {@code detail} for the log. */
  record Refusal(String message, String detail) {}

  /** Resolves a host name to all its addresses. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  EndpointPolicy(List<String> allowedPatterns, Resolver resolver) {}

  Optional<Refusal> check(URI endpoint) {
    return Optional.empty();
  }
}
