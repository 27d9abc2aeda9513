package org.healthgateway.server.audit;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * What the HTTP request of an access says about its parties, for the BALP client and server agents
 * and the query entity: the OAuth client ({@code client_id} or {@code azp} claim), the client's
 * network address as the TCP connection knows it, the server's FHIR base URL, and the raw request
 * line of a search.
 *
 * @param query the request as sent ({@code GET /fhir/Type?params}), or null
 */
record RequestFacts(String clientId, String clientAddress, String serverUrl, String query) {

  /** The current request's facts, or null outside a request (a background task). */
  static RequestFacts current() {
    if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs)) {
      return null;
    }
    HttpServletRequest request = attrs.getRequest();
    String server =
        request.getScheme()
            + "://"
            + request.getServerName()
            + ":"
            + request.getServerPort()
            + request.getContextPath()
            + "/fhir";
    String query =
        request.getMethod()
            + " "
            + request.getRequestURI()
            + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
    return new RequestFacts(tokenClient(), request.getRemoteAddr(), server, query);
  }

  /** The same facts without the request line: accesses other than searches group without it. */
  RequestFacts withoutQuery() {
    return query == null ? this : new RequestFacts(clientId, clientAddress, serverUrl, null);
  }

  /** The values that make two accesses' facts the same for grouping. */
  List<String> key() {
    return Arrays.asList(clientId, clientAddress, serverUrl, query);
  }

  private static String tokenClient() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth instanceof JwtAuthenticationToken jwt) {
      String client = jwt.getToken().getClaimAsString("client_id");
      return client != null ? client : jwt.getToken().getClaimAsString("azp");
    }
    return null;
  }
}
