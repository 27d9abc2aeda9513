package org.healthgateway.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthgateway.server.subscription.EndpointPolicy.Refusal;
import org.junit.jupiter.api.Test;

/**
 * The rest-hook SSRF rule: by default only https to hosts whose every address is public; an
 * endpoint matching {@code gateway.subscriptions.allowed-endpoints} goes through as configured.
 * Nothing here opens a connection: names resolve through a fake resolver, IP literals are parsed.
 */
class SubscriptionEndpointPolicyTest {

  /** Names of the fake DNS; IP literals never reach it. */
  private static final Map<String, List<String>> DNS =
      Map.of(
          "hooks.example.org", List.of("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
          "internal.example.org", List.of("10.1.2.3"),
          "mixed.example.org", List.of("93.184.216.34", "192.168.0.7"),
          "a.hooks.example.org", List.of("93.184.216.35"));

  private static InetAddress[] fakeDns(String host) throws UnknownHostException {
    List<String> addresses = DNS.get(host);
    if (addresses == null) {
      throw new UnknownHostException(host);
    }
    List<InetAddress> result = new ArrayList<>();
    for (String literal : addresses) {
      result.add(InetAddress.getByName(literal));
    }
    return result.toArray(InetAddress[]::new);
  }

  private static EndpointPolicy policy(String... allowed) {
    return new EndpointPolicy(List.of(allowed), SubscriptionEndpointPolicyTest::fakeDns);
  }

  private static Optional<Refusal> check(EndpointPolicy policy, String endpoint) {
    return policy.check(URI.create(endpoint));
  }

  @Test
  void check_byDefault_refusesEveryNonPublicAddressClass() {
    EndpointPolicy policy = policy();
    List<String> refused =
        List.of(
            // link-local, with the cloud metadata address
            "https://169.254.169.254/latest/meta-data/",
            "https://[fe80::1]/hook",
            // private: RFC 1918, RFC 4193 (fc00::/7), shared address space (RFC 6598)
            "https://10.0.0.1/hook",
            "https://172.16.0.1/hook",
            "https://172.31.255.254/hook",
            "https://192.168.1.1/hook",
            "https://[fc00::1]/hook",
            "https://[fd12:3456:789a::1]/hook",
            "https://100.64.0.1/hook",
            // loopback and unspecified
            "https://127.0.0.1/hook",
            "https://127.8.9.10:8443/hook",
            "https://[::1]/hook",
            "https://0.0.0.0/hook",
            "https://[::]/hook",
            // multicast, broadcast and reserved
            "https://224.0.0.1/hook",
            "https://[ff02::1]/hook",
            "https://255.255.255.255/hook",
            "https://240.0.0.1/hook",
            // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4
            "https://[::ffff:10.0.0.1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:a9fe:a9fe]/",
            "https://[::10.0.0.1]/",
            "https://[64:ff9b::a00:1]/",
            "https://[2002:a00:1::1]/");
    for (String endpoint : refused) {
      Optional<Refusal> refusal = check(policy, endpoint);
      assertThat(refusal).as(endpoint).isPresent();
      assertThat(refusal.get().message()).as(endpoint).isEqualTo(EndpointPolicy.NOT_PUBLIC);
    }
  }

  @Test
  void check_byDefault_refusesPlainHttpEvenToAPublicAddress() {
    EndpointPolicy policy = policy();

    for (String endpoint :
        List.of(
            "http://93.184.216.34/hook",
            "http://hooks.example.org/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
            "http://[::1]/")) {
      Optional<Refusal> refusal = check(policy, endpoint);
      assertThat(refusal).as(endpoint).isPresent();
    }
    assertThat(check(policy, "http://hooks.example.org/hook").orElseThrow().message())
        .contains("https")
        .contains("gateway.subscriptions.allowed-endpoints");
  }

  @Test
  void check_ambiguousNumericHostForms_areRefused() {
    EndpointPolicy policy = policy("http://127.0.0.1:*");

    for (String endpoint :
        List.of(
            "http://2130706433/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0x7f.0.0.1/",
            "https://0177.0.0.1/",
            "https://127.000.000.001/",
            "https://3232235777/hook",
            "https://1.2.3.4./hook")) {
      Optional<Refusal> refusal = check(policy, endpoint);
      assertThat(refusal).as(endpoint).isPresent();
      // java.net.URI finds no host in some of them (0x7f.0.0.1, 1.2.3.4.): not a URL, then.
      assertThat(refusal.get().message())
          .as(endpoint)
          .isIn(EndpointPolicy.HOST_FORM, EndpointPolicy.NOT_A_URL);
    }
  }

  @Test
  void check_userInfoOrZoneId_isRefusedEvenWhenTheHostIsAllowed() {
    EndpointPolicy policy = policy("http://127.0.0.1:*");

    for (String endpoint :
        List.of(
            "http://a@10.0.0.1/",
            "https://hooks.example.org@10.0.0.1/",
            "https://user:pw@hooks.example.org/hook",
            "http://x@127.0.0.1:8080/hook",
            "https://[fe80::1%25eth0]/hook")) {
      assertThat(check(policy, endpoint)).as(endpoint).isPresent();
    }
    assertThat(check(policy, "http://a@10.0.0.1/").orElseThrow().message())
        .contains("user information");
  }

  @Test
  void check_httpsToPublicAddresses_isAccepted() {
    EndpointPolicy policy = policy();

    for (String endpoint :
        List.of(
            "https://93.184.216.34/hook",
            "https://[2606:4700:4700::1111]/hook",
            "https://hooks.example.org/fhir/hook?x=1",
            "https://HOOKS.example.org:8443/hook")) {
      assertThat(check(policy, endpoint)).as(endpoint).isEmpty();
    }
  }

  @Test
  void check_nameResolvingToAnyNonPublicAddress_isRefusedWithoutNamingTheAddress() {
    EndpointPolicy policy = policy();

    for (String endpoint :
        List.of(
            "https://internal.example.org/hook",
            "https://mixed.example.org/hook",
            "https://unknown.example.org/hook")) {
      Optional<Refusal> refusal = check(policy, endpoint);
      assertThat(refusal).as(endpoint).isPresent();
      assertThat(refusal.get().message())
          .as("what the client is told")
          .doesNotContain("10.1.2.3")
          .doesNotContain("192.168")
          .doesNotContain("private");
    }
    assertThat(check(policy, "https://internal.example.org/").orElseThrow().detail())
        .as("what the log is told")
        .contains("10.1.2.3");
  }

  @Test
  void check_allowedLoopbackPattern_acceptsItsPortsOnly() {
    EndpointPolicy policy = policy("http://127.0.0.1:*");

    assertThat(check(policy, "http://127.0.0.1:8080/hook")).isEmpty();
    assertThat(check(policy, "http://127.0.0.1/hook")).isEmpty();
    assertThat(check(policy, "http://127.0.0.2:8080/hook")).as("other host").isPresent();
    assertThat(check(policy, "http://localhost:8080/hook")).as("a name").isPresent();
    assertThat(check(policy, "https://127.0.0.1:8080/hook")).as("other scheme").isPresent();
  }

  @Test
  void check_patternsWithPortWildcardDomainAndPath_matchOnlyWhatTheySay() {
    // Plain http everywhere, so that only a matching pattern lets an endpoint through.
    EndpointPolicy policy =
        policy("http://[::1]:8080/fhir/", "http://*.hooks.example.org", "http://10.0.0.5:9000");

    assertThat(check(policy, "http://[0:0:0:0:0:0:0:1]:8080/fhir/x")).isEmpty();
    assertThat(check(policy, "http://[::1]:8080/fhir/")).isEmpty();
    assertThat(check(policy, "http://[::1]:8080/fhir")).as("shorter path").isPresent();
    assertThat(check(policy, "http://[::1]:8080/other")).as("path").isPresent();
    assertThat(check(policy, "http://[::1]:8081/fhir/x")).as("port").isPresent();
    assertThat(check(policy, "http://[::1]:8080/fhir/../admin")).as("dot segment").isPresent();
    assertThat(check(policy, "http://[::1]:8080/fhir/%2e%2e/admin")).as("encoded").isPresent();
    assertThat(check(policy, "http://a.hooks.example.org/x")).isEmpty();
    assertThat(check(policy, "http://a.b.hooks.example.org:80/x")).isEmpty();
    assertThat(check(policy, "http://a.hooks.example.org:8080/x")).as("port").isPresent();
    assertThat(check(policy, "http://hooks.example.org/x")).as("the domain itself").isPresent();
    assertThat(check(policy, "http://evilhooks.example.org/x")).as("suffix").isPresent();
    assertThat(check(policy, "http://a.hooks.example.org.evil.example/x")).isPresent();
    assertThat(check(policy, "http://10.0.0.5:9000/x")).isEmpty();
    assertThat(check(policy, "http://10.0.0.5/x")).as("default port 80").isPresent();
  }

  @Test
  void create_invalidPattern_isRefusedAtStartUp() {
    for (String pattern :
        List.of(
            "127.0.0.1",
            "ftp://127.0.0.1",
            "http://*",
            "http://*.com:*/",
            "http://a*b.example.org",
            "http://h:port",
            "http://h:99999",
            "http://h/p?q=1",
            "http://u@h/")) {
      assertThatThrownBy(() -> policy(pattern))
          .as(pattern)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gateway.subscriptions.allowed-endpoints");
    }
  }

  @Test
  void deliver_afterTheNameRebindsToAPrivateAddress_sendsNothing() throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    EndpointPolicy policy =
        new EndpointPolicy(
            List.of(),
            host ->
                new InetAddress[] {
                  InetAddress.getByName(
                      lookups.getAndIncrement() == 0 ? "93.184.216.34" : "169.254.169.254")
                });
    URI endpoint = URI.create("https://rebind.example.org/hook");
    assertThat(policy.check(endpoint)).as("at creation").isEmpty();
    List<HttpRequest> sent = new ArrayList<>();
    RestHookChannel.Transport transport =
        RestHookChannel.checking(
            policy,
            Runnable::run,
            request -> {
              sent.add(request);
              return CompletableFuture.completedFuture(204);
            });

    CompletableFuture<Integer> delivery =
        transport.send(
            HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.noBody()).build());

    assertThatThrownBy(delivery::get)
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("refused");
    assertThat(sent).as("requests sent").isEmpty();
  }
}
