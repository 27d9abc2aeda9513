package org.healthgateway.server.subscription;

import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Serves the subscription websocket at {@value Subscriptions#WEBSOCKET_PATH}. Any origin may
 * connect: authentication is by bearer token, never by cookie, so a foreign page gains nothing.
 */
@Configuration
@EnableWebSocket
class SubscriptionWebSocketConfig implements WebSocketConfigurer {
  private static final int MAX_MESSAGE_CHARS = 16 * 1024;

  private final Subscriptions subscriptions;

  SubscriptionWebSocketConfig(Subscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    registry
        .addHandler(subscriptions.socketHandler(), Subscriptions.WEBSOCKET_PATH)
        .addInterceptors(new BearerTokenHandshake())
        .setAllowedOriginPatterns("*");
  }

  /** Caps incoming messages (a bind or a token). */
  @Bean
  ServletServerContainerFactoryBean webSocketContainer() {
    ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
    container.setMaxTextMessageBufferSize(MAX_MESSAGE_CHARS);
    container.setMaxBinaryMessageBufferSize(1024);
    return container;
  }

  /** Hands a token from {@code ?access_token=} or {@code Authorization: Bearer} to the session. */
  static final class BearerTokenHandshake implements HandshakeInterceptor {
    @Override
    public boolean beforeHandshake(
        ServerHttpRequest request,
        ServerHttpResponse response,
        WebSocketHandler handler,
        Map<String, Object> attributes) {
      String token =
          UriComponentsBuilder.fromUri(request.getURI())
              .build()
              .getQueryParams()
              .getFirst("access_token");
      String authorization = request.getHeaders().getFirst("Authorization");
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        token = authorization.substring(7).trim();
      }
      if (token != null && !token.isBlank()) {
        attributes.put(SubscriptionSocketHandler.TOKEN_ATTRIBUTE, token);
      }
      return true;
    }

    @Override
    public void afterHandshake(
        ServerHttpRequest request,
        ServerHttpResponse response,
        WebSocketHandler handler,
        Exception exception) {
      // Nothing to do after the upgrade.
    }
  }
}
