package org.healthgateway.server.subscription;

import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code gateway.subscriptions.allowed-endpoints}: {@code
 * scheme://host[:port][/path]}, matched against the parsed parts of an endpoint, never against its
 * text (so {@code http://127.0.0.1:80@10.0.0.1/} cannot pass for {@code http://127.0.0.1:*}).
 *
 * <ul>
 *   <li>scheme: {@code http} or {@code https}, exactly.
 *   <li>host: a DNS name (case-insensitive), a dotted-decimal IPv4 address or a bracketed IPv6
 *       address (compared as addresses: {@code [::1]} is {@code [0:0:0:0:0:0:0:1]}); or {@code
 *       *.example.org}, any name strictly below {@code example.org} (at least two labels after the
 *       star). No other wildcard.
 *   <li>port: a number, {@code *} for any, or nothing for the scheme's default (80, 443).
 *   <li>path: nothing or {@code /} for any; else the endpoint's path must equal it or continue it
 *       after a {@code /}, and must hold no dot segment and no encoded {@code .}, {@code /} or
 *       {@code \}.
 * </ul>
 */
record EndpointPattern(
    String scheme, String host, InetAddress address, boolean subdomains, int port, String path) {
  static final int ANY_PORT = -1;
  static final String PROPERTY = "gateway.subscriptions.allowed-endpoints";

  private static final Pattern SYNTAX =
      Pattern.compile(
          "(?i)(https?)://(\\[[0-9a-f:.]+\\]|[a-z0-9*.\\-]+)(?::(\\*|[0-9]{1,5}))?(/[^?#%]*)?");
  private static final Pattern UNSAFE_PATH =
      Pattern.compile("(?i)%2e|%2f|%5c|\\\\|(^|/)\\.\\.?(/|$)");

  /**
   * Parses one pattern.
   *
   * @throws IllegalArgumentException naming the property and the pattern, if it is not valid
   */
  static EndpointPattern parse(String text) {
    Matcher m = SYNTAX.matcher(text.trim());
    if (!m.matches()) {
      throw invalid(text, "is not scheme://host[:port][/path] with scheme http or https");
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    String host = m.group(2).toLowerCase(Locale.ROOT);
    boolean subdomains = host.startsWith("*.");
    String name = subdomains ? host.substring(2) : host;
    if (name.contains("*")) {
      throw invalid(text, "may only use * as the first label of the host, as in *.example.org");
    }
    Optional<InetAddress> address = IpAddresses.literal(name);
    if (address.isEmpty() && (name.startsWith("[") || IpAddresses.endsInNumber(name))) {
      throw invalid(text, "names an IP address in a form other than a.b.c.d or [v6]");
    }
    if (subdomains && (address.isPresent() || name.split("\\.").length < 2)) {
      throw invalid(text, "needs a domain of at least two labels after *.");
    }
    int port = defaultPort(scheme);
    if ("*".equals(m.group(3))) {
      port = ANY_PORT;
    } else if (m.group(3) != null) {
      port = Integer.parseInt(m.group(3));
      if (port < 1 || port > 65_535) {
        throw invalid(text, "has a port outside 1-65535");
      }
    }
    String path = m.group(4) == null || m.group(4).equals("/") ? "" : m.group(4);
    if (UNSAFE_PATH.matcher(path).find()) {
      throw invalid(text, "has a dot segment or a backslash in its path");
    }
    return new EndpointPattern(scheme, name, address.orElse(null), subdomains, port, path);
  }

  /**
   * True if the endpoint is one this pattern allows.
   *
   * @param host the endpoint's host, lower case
   * @param literal the address the host spells, if it is an IP literal
   */
  boolean matches(URI endpoint, String host, Optional<InetAddress> literal) {
    String endpointScheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
    int endpointPort = endpoint.getPort() < 0 ? defaultPort(endpointScheme) : endpoint.getPort();
    return scheme.equals(endpointScheme)
        && (port == ANY_PORT || port == endpointPort)
        && hostMatches(host, literal)
        && pathMatches(endpoint.getRawPath());
  }

  private boolean hostMatches(String endpointHost, Optional<InetAddress> literal) {
    if (address != null) {
      return literal.isPresent() && literal.get().equals(address);
    }
    if (literal.isPresent()) {
      return false;
    }
    return subdomains ? endpointHost.endsWith("." + host) : endpointHost.equals(host);
  }

  private boolean pathMatches(String rawPath) {
    if (path.isEmpty()) {
      return true;
    }
    String endpointPath = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    if (UNSAFE_PATH.matcher(endpointPath).find()) {
      return false;
    }
    return endpointPath.equals(path)
        || endpointPath.startsWith(path.endsWith("/") ? path : path + "/");
  }

  private static int defaultPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException(PROPERTY + ": '" + text + "' " + why);
  }
}
