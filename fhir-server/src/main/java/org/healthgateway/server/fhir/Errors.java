package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.security.GeneralSecurityException;
import org.healthgateway.keys.consent.Decision;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.server.store.AccessDeniedException;
import org.healthgateway.server.store.Refused;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the store's exceptions (ledger, key log, keys, the read rule's refusal) to HAPI's HTTP
 * exceptions, and the broker's decisions to their status ({@link #refuseUnless}).
 */
final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

  private Errors() {}

  /**
   * The one place a broker decision becomes a FHIR answer: nothing for a permit; for a refusal 403
   * (deny), 422 (invalid) or 404 (not found), with the decision's reason as the OperationOutcome's
   * diagnostics.
   */
  static void refuseUnless(Decision decision) {
    switch (decision.kind()) {
      case PERMIT -> {}
      case DENY -> throw new ForbiddenOperationException(decision.reason());
      case INVALID -> throw new UnprocessableEntityException(decision.reason());
      case NOT_FOUND -> throw new ResourceNotFoundException(decision.reason());
    }
  }

  static BaseServerResponseException map(Exception e) {
    if (e instanceof BaseServerResponseException http) {
      return http;
    }
    if (e instanceof Refused refused) {
      refuseUnless(refused.decision());
    }
    if (e instanceof AccessDeniedException denied) {
      return new ForbiddenOperationException(denied.getMessage());
    }
    if (e instanceof LedgerException || e instanceof KeyLogException) {
      LOG.error("ledger failure", e);
      return new InternalErrorException("The ledger could not record or read the change", e);
    }
    if (e instanceof GeneralSecurityException) {
      LOG.error("key failure", e);
      return new InternalErrorException("A key operation failed", e);
    }
    if (e instanceof IllegalArgumentException) {
      return new UnprocessableEntityException(e.getMessage());
    }
    LOG.error("unexpected failure", e);
    return new InternalErrorException("Unexpected failure", e);
  }
}
