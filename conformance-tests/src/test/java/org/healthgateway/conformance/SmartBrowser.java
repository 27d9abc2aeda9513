package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user agent for SMART App Launch: follows nothing by itself, keeps the session cookie, fills the
 * login form and the consent screen, and plays the app (PKCE, code exchange, refresh).
 */
final class SmartBrowser {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String REDIRECT_URI = "http://127.0.0.1:9000/callback";

  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");
  private static final Pattern CHECKBOX =
      Pattern.compile("<input type=\"checkbox\" name=\"scope\" value=\"([^\"]+)\"");
  private static final Pattern OPTION = Pattern.compile("<option value=\"([^\"]+)\">");
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Map<String, String> cookies = new LinkedHashMap<>();
  private final JsonNode configuration;

  SmartBrowser(GatewayProcess gateway) {
    HttpResponse<String> response = get(gateway.fhirBase() + "/.well-known/smart-configuration");
    assertThat(response.statusCode()).isEqualTo(200);
    this.configuration = json(response);
  }

  JsonNode configuration() {
    return configuration;
  }

  /** What the app asks for. {@code launch} and {@code pickPatient} may be null. */
  record Request(
      String clientId,
      String clientSecret,
      String scope,
      String aud,
      String launch,
      String username,
      String password,
      String pickPatient) {}

  /** The result of a full launch: the token response and what the consent screen offered. */
  record Launch(JsonNode token, List<String> offeredPatients) {}

  /** Runs authorization request, login, consent and code exchange, every scope left ticked. */
  Launch launch(Request app) {
    return launch(app, Set.of());
  }

  /** The same, with the user unticking {@code untick} on the consent screen. */
  Launch launch(Request app, Set<String> untick) {
    String verifier = randomUrlSafe();
    Map<String, String> params = new LinkedHashMap<>();
    params.put("response_type", "code");
    params.put("client_id", app.clientId());
    params.put("redirect_uri", REDIRECT_URI);
    params.put("scope", app.scope());
    params.put("state", randomUrlSafe());
    params.put("aud", app.aud());
    params.put("code_challenge", s256(verifier));
    params.put("code_challenge_method", "S256");
    if (app.launch() != null) {
      params.put("launch", app.launch());
    }
    HttpResponse<String> toLogin =
        get(configuration.path("authorization_endpoint").asText() + "?" + form(params));
    assertThat(toLogin.statusCode()).as("authorize: %s", toLogin.body()).isEqualTo(302);
    String loginUrl = location(toLogin);
    assertThat(loginUrl).endsWith("/login");
    HttpResponse<String> loginPage = get(loginUrl);
    Matcher csrf = CSRF.matcher(loginPage.body());
    assertThat(csrf.find()).as("login form with CSRF token: %s", loginPage.body()).isTrue();
    HttpResponse<String> loggedIn =
        post(
            loginUrl,
            form(
                Map.of(
                    "username",
                    app.username(),
                    "password",
                    app.password(),
                    "_csrf",
                    csrf.group(1))),
            null);
    assertThat(loggedIn.statusCode()).as("login").isEqualTo(302);
    assertThat(location(loggedIn))
        .as("back to the authorization request")
        .contains("/oauth2/authorize");
    HttpResponse<String> toConsent = get(location(loggedIn));
    assertThat(toConsent.statusCode()).as("to consent: %s", toConsent.body()).isEqualTo(302);
    HttpResponse<String> consentPage = get(location(toConsent));
    assertThat(consentPage.statusCode()).as("consent page").isEqualTo(200);
    List<String> offered = all(OPTION, consentPage.body());
    String consentForm = consentForm(consentPage.body(), app.pickPatient(), untick);
    HttpResponse<String> redirect =
        post(configuration.path("authorization_endpoint").asText(), consentForm, null);
    assertThat(redirect.statusCode()).as("consent: %s", redirect.body()).isEqualTo(302);
    String callback = location(redirect);
    assertThat(callback).startsWith(REDIRECT_URI).contains("state=" + params.get("state"));
    String code = query(callback).get("code");
    assertThat(code).as("code in %s", callback).isNotBlank();
    Map<String, String> exchange = new LinkedHashMap<>();
    exchange.put("grant_type", "authorization_code");
    exchange.put("code", code);
    exchange.put("redirect_uri", REDIRECT_URI);
    exchange.put("code_verifier", verifier);
    if (app.clientSecret() == null) {
      exchange.put("client_id", app.clientId());
    }
    HttpResponse<String> token = tokenRequest(exchange, app.clientId(), app.clientSecret());
    assertThat(token.statusCode()).as("token: %s", token.body()).isEqualTo(200);
    return new Launch(json(token), offered);
  }

  /** The consent form as the user leaves it: the offered scopes but {@code untick}, the patient. */
  private static String consentForm(String page, String pickPatient, Set<String> untick) {
    String allow = page.substring(0, page.indexOf("Allow</button>"));
    List<String[]> fields = new ArrayList<>();
    Matcher hidden = HIDDEN.matcher(allow);
    while (hidden.find()) {
      fields.add(new String[] {hidden.group(1), unescape(hidden.group(2))});
    }
    for (String scope : all(CHECKBOX, allow)) {
      if (!untick.contains(scope)) {
        fields.add(new String[] {"scope", scope});
      }
    }
    if (pickPatient != null) {
      assertThat(allow).as("patient picker").contains("<select name=\"patient\"");
      fields.add(new String[] {"patient", pickPatient});
    }
    StringBuilder body = new StringBuilder();
    for (String[] field : fields) {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(enc(field[0])).append('=').append(enc(field[1]));
    }
    return body.toString();
  }

  HttpResponse<String> tokenRequest(Map<String, String> params, String clientId, String secret) {
    String basic =
        secret == null
            ? null
            : Base64.getEncoder()
                .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return post(configuration.path("token_endpoint").asText(), form(params), basic);
  }

  HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  HttpResponse<String> post(String url, String form, String basic) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (basic != null) {
      request.header("Authorization", "Basic " + basic);
    }
    return send(request);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    if (!cookies.isEmpty()) {
      StringBuilder cookie = new StringBuilder();
      cookies.forEach(
          (k, v) -> cookie.append(cookie.length() == 0 ? "" : "; ").append(k + "=" + v));
      request.header("Cookie", cookie.toString());
    }
    // A browser's Accept header; Spring saves the authorization request for after the login
    // only for requests that do not prefer JSON.
    request.header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
    request.timeout(Duration.ofSeconds(30));
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String set : response.headers().allValues("set-cookie")) {
        String pair = set.split(";", 2)[0];
        int eq = pair.indexOf('=');
        cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String location(HttpResponse<?> response) {
    String location = response.headers().firstValue("Location").orElseThrow();
    return response.request().uri().resolve(location).toString();
  }

  static Map<String, String> query(String url) {
    Map<String, String> params = new LinkedHashMap<>();
    String query = URI.create(url).getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        params.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  static String form(Map<String, String> params) {
    StringBuilder body = new StringBuilder();
    params.forEach(
        (k, v) ->
            body.append(body.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return body.toString();
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String randomUrlSafe() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String s256(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** The claims of a JWT, unverified (the test only reads what the server put there). */
  static JsonNode claims(String jwt) {
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> all(Pattern pattern, String text) {
    List<String> values = new ArrayList<>();
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      values.add(unescape(matcher.group(1)));
    }
    return values;
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
  }
}
