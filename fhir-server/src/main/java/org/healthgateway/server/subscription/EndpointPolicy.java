package org.healthgateway.server.subscription;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where rest-hook notifications may go, the guard against server-side request forgery: checked when
 * a Subscription is written (422) and again before every delivery attempt, so a name that resolves
 * elsewhere by then (DNS rebinding) gets nothing.
 *
 * <p>In order: the endpoint is an absolute http(s) URL without user information, whose host is a
 * DNS name, a dotted-decimal IPv4 address or an IPv6 address without zone (no {@code 2130706433},
 * {@code 0x7f000001}, {@code 0177.0.0.1}). Then an endpoint matching one of the {@link
 * EndpointPattern allowed patterns} is accepted as it is, loopback and plain http included: the
 * operator allowed it. Any other endpoint must use https, and every address its host resolves to
 * must be public ({@link IpAddresses#nonPublic}). The client hears which rule it broke but not
 * which address a name resolved to (that would map the internal network); the log hears both.
 */
final class EndpointPolicy {
  static final String NOT_A_URL =
      "Subscription.channel.endpoint must be an absolute http or https URL";
  static final String USER_INFO =
      "Subscription.channel.endpoint must not contain user information; send credentials in"
          + " channel.header";
  static final String HOST_FORM =
      "Subscription.channel.endpoint must name its host by a DNS name, a dotted-decimal IPv4"
          + " address or an IPv6 address without zone";
  static final String HTTPS_ONLY =
      "Subscription.channel.endpoint must use https, unless it matches " + EndpointPattern.PROPERTY;
  static final String NOT_PUBLIC =
      "Subscription.channel.endpoint is not allowed: rest-hooks go only to hosts whose every"
          + " address is public, unless the endpoint matches "
          + EndpointPattern.PROPERTY;

  /** Why an endpoint is refused: {@code message} for the client, {@code detail} for the log. */
  record Refusal(String message, String detail) {}

  /** Resolves a host name to all its addresses. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final List<EndpointPattern> allowed;
  private final Resolver resolver;

  /**
   * @param allowedPatterns the {@value EndpointPattern#PROPERTY} entries
   * @param resolver {@code InetAddress::getAllByName} outside tests
   * @throws IllegalArgumentException if a pattern is not valid
   */
  EndpointPolicy(List<String> allowedPatterns, Resolver resolver) {
    this.allowed = allowedPatterns.stream().map(EndpointPattern::parse).toList();
    this.resolver = resolver;
  }

  /** Empty if notifications may go to the endpoint now, else why not. May resolve the host. */
  Optional<Refusal> check(URI endpoint) {
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme();
    boolean https = scheme.equalsIgnoreCase("https");
    if (!(https || scheme.equalsIgnoreCase("http")) || endpoint.getHost() == null) {
      return refuse(NOT_A_URL, "not an absolute http(s) URL");
    }
    if (endpoint.getRawUserInfo() != null) {
      return refuse(USER_INFO, "user information in the URL");
    }
    String host = endpoint.getHost().toLowerCase(Locale.ROOT);
    Optional<InetAddress> literal = IpAddresses.literal(host);
    if (literal.isEmpty()
        && (host.startsWith("[") || host.indexOf('%') >= 0 || IpAddresses.endsInNumber(host))) {
      return refuse(HOST_FORM, "host " + host + " is an ambiguous IP address form");
    }
    for (EndpointPattern pattern : allowed) {
      if (pattern.matches(endpoint, host, literal)) {
        return Optional.empty();
      }
    }
    if (!https) {
      return refuse(HTTPS_ONLY, "plain http to " + host);
    }
    return publicAddresses(host, literal);
  }

  private Optional<Refusal> publicAddresses(String host, Optional<InetAddress> literal) {
    InetAddress[] addresses;
    if (literal.isPresent()) {
      addresses = new InetAddress[] {literal.get()};
    } else {
      try {
        addresses = resolver.resolve(host);
      } catch (UnknownHostException e) {
        return refuse(NOT_PUBLIC, host + " does not resolve");
      }
    }
    if (addresses == null || addresses.length == 0) {
      return refuse(NOT_PUBLIC, host + " resolves to no address");
    }
    for (InetAddress address : addresses) {
      Optional<String> kind = IpAddresses.nonPublic(address);
      if (kind.isPresent()) {
        return refuse(
            NOT_PUBLIC,
            host + " is or resolves to " + address.getHostAddress() + ", " + kind.get());
      }
    }
    return Optional.empty();
  }

  private static Optional<Refusal> refuse(String message, String detail) {
    return Optional.of(new Refusal(message, detail));
  }
}
