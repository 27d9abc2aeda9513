package org.healthgateway.server.subscription;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP address rules of the rest-hook SSRF guard: which addresses are not public (the special-purpose
 * ranges of the IANA IPv4 and IPv6 registries, RFC 6890, that a webhook has no business on), and
 * which host spellings are IP literals. Pure: never resolves a name.
 */
final class IpAddresses {
  private IpAddresses() {}

  /** An address range and what it is, for the log. */
  @SuppressWarnings("ArrayRecordComponent") // compared by contains(), never by equals
  private record Range(byte[] prefix, int bits, String kind) {
    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((address[i / 8] & mask) != (prefix[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private static final List<Range> IPV4 =
      List.of(
          v4(0, 0, 0, 0, 8, "unspecified (0.0.0.0/8)"),
          v4(10, 0, 0, 0, 8, "private (RFC 1918)"),
          v4(100, 64, 0, 0, 10, "shared address space (RFC 6598)"),
          v4(127, 0, 0, 0, 8, "loopback"),
          v4(169, 254, 0, 0, 16, "link-local"),
          v4(172, 16, 0, 0, 12, "private (RFC 1918)"),
          v4(192, 0, 0, 0, 24, "IETF protocol assignments"),
          v4(192, 168, 0, 0, 16, "private (RFC 1918)"),
          v4(198, 18, 0, 0, 15, "benchmarking (RFC 2544)"),
          v4(224, 0, 0, 0, 4, "multicast"),
          v4(240, 0, 0, 0, 4, "reserved or broadcast"));

  /** IPv6 ranges after the ones that embed an IPv4 address, which {@link #ipv6} checks first. */
  private static final List<Range> IPV6 =
      List.of(
          v6(new int[] {0, 0, 0, 0, 0, 0, 0, 0}, 128, "unspecified"),
          v6(new int[] {0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback"),
          v6(new int[] {0, 0, 0, 0, 0, 0, 0, 0}, 96, "IPv4-compatible (deprecated)"),
          v6(new int[] {0x64, 0xff9b, 1, 0, 0, 0, 0, 0}, 48, "local-use NAT64 (RFC 8215)"),
          v6(new int[] {0x100, 0, 0, 0, 0, 0, 0, 0}, 64, "discard-only (RFC 6666)"),
          v6(new int[] {0x2001, 0, 0, 0, 0, 0, 0, 0}, 32, "Teredo tunnel"),
          v6(new int[] {0x2001, 0xdb8, 0, 0, 0, 0, 0, 0}, 32, "documentation"),
          v6(new int[] {0xfc00, 0, 0, 0, 0, 0, 0, 0}, 7, "private (RFC 4193)"),
          v6(new int[] {0xfe80, 0, 0, 0, 0, 0, 0, 0}, 10, "link-local"),
          v6(new int[] {0xfec0, 0, 0, 0, 0, 0, 0, 0}, 10, "site-local (deprecated)"),
          v6(new int[] {0xff00, 0, 0, 0, 0, 0, 0, 0}, 8, "multicast"));

  private static final Range MAPPED =
      v6(new int[] {0, 0, 0, 0, 0, 0xffff, 0, 0}, 96, "IPv4-mapped");
  private static final Range NAT64 = v6(new int[] {0x64, 0xff9b, 0, 0, 0, 0, 0, 0}, 96, "NAT64");
  private static final Range SIX_TO_FOUR = v6(new int[] {0x2002, 0, 0, 0, 0, 0, 0, 0}, 16, "6to4");

  private static final Pattern DOTTED_QUAD =
      Pattern.compile(
          "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Pattern NUMBER = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");

  /**
   * What kind of non-public address this is ({@code "loopback"}, {@code "private (RFC 1918)"},
   * ...), or empty for a public one. An IPv4 address inside an IPv6 one (mapped, NAT64, 6to4) is
   * judged by the IPv4 address.
   */
  static Optional<String> nonPublic(InetAddress address) {
    byte[] bytes = address.getAddress();
    return bytes.length == 4 ? ipv4(bytes, 0) : ipv6(bytes);
  }

  private static Optional<String> ipv4(byte[] bytes, int offset) {
    byte[] v4 = {bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]};
    return IPV4.stream().filter(r -> r.contains(v4)).map(Range::kind).findFirst();
  }

  private static Optional<String> ipv6(byte[] bytes) {
    for (Range embedding : List.of(MAPPED, NAT64)) {
      if (embedding.contains(bytes)) {
        return ipv4(bytes, 12).map(kind -> kind + " in " + embedding.kind());
      }
    }
    if (SIX_TO_FOUR.contains(bytes)) {
      return ipv4(bytes, 2).map(kind -> kind + " in 6to4");
    }
    return IPV6.stream().filter(r -> r.contains(bytes)).map(Range::kind).findFirst();
  }

  /**
   * The address a host spelled as an IP literal names: a canonical dotted-decimal IPv4 address or a
   * bracketed IPv6 address ({@code [::1]}, as {@link java.net.URI#getHost} gives it). Empty for a
   * name and for anything else.
   */
  static Optional<InetAddress> literal(String host) {
    boolean v6 = host.startsWith("[") && host.endsWith("]") && host.indexOf('%') < 0;
    if (!v6 && !DOTTED_QUAD.matcher(host).matches()) {
      return Optional.empty();
    }
    try {
      // Both forms are parsed as literals: InetAddress never asks DNS about them.
      return Optional.of(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * True if the host ends in a number (WHATWG URL's IPv4 test): {@code 2130706433}, {@code
   * 0x7f000001}, {@code 0177.0.0.1}. Resolvers read such forms differently (decimal, octal, hex),
   * so only the canonical dotted quad ({@link #literal}) is accepted.
   */
  static boolean endsInNumber(String host) {
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    String last = name.substring(name.lastIndexOf('.') + 1);
    return NUMBER.matcher(last).matches();
  }

  private static Range v4(int a, int b, int c, int d, int bits, String kind) {
    return new Range(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, bits, kind);
  }

  private static Range v6(int[] groups, int bits, String kind) {
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[2 * i] = (byte) (groups[i] >>> 8);
      bytes[2 * i + 1] = (byte) groups[i];
    }
    return new Range(bytes, bits, kind);
  }
}
