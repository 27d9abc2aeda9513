package org.healthgateway.server.security;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/** Every client of the embedded authorization server: demo users, demo apps, backend services. */
public record RegisteredApps(List<RegisteredClient> clients) {
  public RegisteredApps {
    clients = List.copyOf(clients);
  }

  /**
   * The origins ({@code scheme://host[:port]}) of the clients' redirect URIs: where browser apps
   * that log in here are served from.
   */
  public Set<String> redirectOrigins() {
    Set<String> origins = new TreeSet<>();
    for (RegisteredClient client : clients) {
      for (String redirect : client.getRedirectUris()) {
        URI uri = URI.create(redirect);
        if (uri.getScheme() != null && uri.getHost() != null) {
          origins.add(
              uri.getScheme().toLowerCase(Locale.ROOT)
                  + "://"
                  + uri.getHost().toLowerCase(Locale.ROOT)
                  + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
        }
      }
    }
    return origins;
  }
}
