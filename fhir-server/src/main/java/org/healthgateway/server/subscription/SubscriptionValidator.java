package org.healthgateway.server.subscription;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.healthgateway.server.search.SearchEngine;
import org.healthgateway.server.search.SearchQuery;
import org.healthgateway.server.subscription.SubscriptionSpec.Channel;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;

/**
 * Checks a Subscription resource against what this server can deliver: criteria our search engine
 * evaluates, a {@code rest-hook} channel with an absolute http(s) endpoint or a {@code websocket}
 * channel, a FHIR payload type or none, and well-formed headers. Pure: returns a decision.
 */
final class SubscriptionValidator {

  static final int MAX_CRITERIA_CHARS = 2048;
  static final int MAX_ENDPOINT_CHARS = 2048;
  static final int MAX_HEADERS = 20;
  static final int MAX_HEADER_CHARS = 1024;
  static final Set<String> PAYLOADS = Set.of("application/fhir+json", "application/fhir+xml");

  private final SearchEngine search;

  SubscriptionValidator(SearchEngine search) {
    this.search = search;
  }

  /** A valid specification, or the reason it is not valid. */
  record Validation(SubscriptionSpec spec, String error) {
    static Validation invalid(String error) {
      return new Validation(null, error);
    }

    boolean valid() {
      return spec != null;
    }
  }

  /** Validates one version of a Subscription written by {@code owner}. */
  Validation validate(Subscription subscription, String owner, long version) {
    try {
      SearchQuery query = parseCriteria(subscription.getCriteria());
      Subscription.SubscriptionChannelComponent channel = subscription.getChannel();
      Channel type = channelType(channel);
      URI endpoint = type == Channel.REST_HOOK ? endpoint(channel.getEndpoint()) : null;
      String payload = payload(channel.getPayload());
      List<String> headers = headers(channel.getHeader());
      SubscriptionStatus status = subscription.getStatus();
      if (status == null) {
        throw new InvalidSubscription("Subscription.status is required");
      }
      boolean active =
          status == SubscriptionStatus.ACTIVE || status == SubscriptionStatus.REQUESTED;
      return new Validation(
          new SubscriptionSpec(
              subscription.getIdElement().getIdPart(),
              version,
              owner,
              active,
              query,
              type,
              endpoint,
              payload,
              headers,
              subscription.hasEnd() ? subscription.getEnd().toInstant() : null),
          null);
    } catch (InvalidSubscription e) {
      return Validation.invalid(e.getMessage());
    }
  }

  /** Parses {@code Type?name=value&...} with the server's own search engine. */
  private SearchQuery parseCriteria(String criteria) {
    if (criteria == null || criteria.isBlank()) {
      throw new InvalidSubscription("Subscription.criteria is required");
    }
    if (criteria.length() > MAX_CRITERIA_CHARS) {
      throw new InvalidSubscription("Subscription.criteria is longer than " + MAX_CRITERIA_CHARS);
    }
    int q = criteria.indexOf('?');
    String type = q < 0 ? criteria : criteria.substring(0, q);
    Map<String, List<String>> params = q < 0 ? Map.of() : queryParams(criteria.substring(q + 1));
    try {
      return search.parse(type, params);
    } catch (BaseServerResponseException e) {
      throw new InvalidSubscription("Subscription.criteria: " + e.getMessage());
    }
  }

  static Map<String, List<String>> queryParams(String query) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String pair : query.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      } catch (IllegalArgumentException e) {
        throw new InvalidSubscription("Subscription.criteria is not a valid query string");
      }
    }
    return params;
  }

  private static Channel channelType(Subscription.SubscriptionChannelComponent channel) {
    if (channel == null || channel.getType() == null) {
      throw new InvalidSubscription("Subscription.channel.type is required");
    }
    return switch (channel.getType()) {
      case RESTHOOK -> Channel.REST_HOOK;
      case WEBSOCKET -> Channel.WEBSOCKET;
      default ->
          throw new InvalidSubscription(
              "Subscription.channel.type '"
                  + channel.getType().toCode()
                  + "' is not supported; use rest-hook or websocket");
    };
  }

  private static URI endpoint(String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidSubscription("A rest-hook Subscription needs channel.endpoint");
    }
    if (value.length() > MAX_ENDPOINT_CHARS) {
      throw new InvalidSubscription("Subscription.channel.endpoint is too long");
    }
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new InvalidSubscription(
            "Subscription.channel.endpoint must be an absolute http or https URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new InvalidSubscription("Subscription.channel.endpoint is not a valid URL");
    }
  }

  private static String payload(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String mime = value.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!PAYLOADS.contains(mime)) {
      throw new InvalidSubscription(
          "Subscription.channel.payload must be empty, application/fhir+json or"
              + " application/fhir+xml");
    }
    return mime;
  }

  private static List<String> headers(List<StringType> values) {
    if (values.size() > MAX_HEADERS) {
      throw new InvalidSubscription("Subscription.channel.header: at most " + MAX_HEADERS);
    }
    List<String> headers = new ArrayList<>();
    for (StringType value : values) {
      String header = value.getValue();
      int colon = header == null ? -1 : header.indexOf(':');
      if (colon <= 0 || header.length() > MAX_HEADER_CHARS) {
        throw new InvalidSubscription("Subscription.channel.header must be 'Name: value'");
      }
      try {
        // HttpClient's own rules: token names, no CR/LF, no restricted headers (Host, ...).
        HttpRequest.newBuilder(URI.create("http://localhost/"))
            .header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
      } catch (IllegalArgumentException e) {
        throw new InvalidSubscription(
            "Subscription.channel.header '"
                + header.substring(0, colon).trim()
                + "' is not allowed");
      }
      headers.add(header);
    }
    return headers;
  }

  /** Internal control flow of {@link #validate}; never leaves this class. */
  private static final class InvalidSubscription extends RuntimeException {
    InvalidSubscription(String message) {
      super(message, null, false, false);
    }
  }
}
