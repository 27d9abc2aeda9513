package org.healthgateway.server.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.server.requester.Requester;

/**
 * On a ledger shared by several organizations' nodes, a user is served by its home node only, the
 * node that registered its keys: another node holds none of its keys, so it could neither sign for
 * it nor open what was released to it, and a token of another identity provider naming the same
 * FHIR user must not act as that user here. 403 for such a request; requests without a user are
 * left to the authentication rules.
 */
public final class HomeNodeInterceptor {
  private final Identities identities;

  public HomeNodeInterceptor(Identities identities) {
    this.identities = identities;
  }

  @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
  public void requireHomeNode() {
    String requester;
    try {
      requester = Requester.current();
    } catch (AuthenticationException e) {
      return;
    }
    if (identities.belongsToAnotherNode(requester)) {
      throw new ForbiddenOperationException(
          requester
              + " is a user of "
              + identities.homeNode(requester).orElseThrow()
              + ", which holds its keys: sign in there");
    }
  }
}
