package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.healthgateway.server.security.Requester;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * {@code POST [base]} with a batch or transaction Bundle. A transaction is all-or-nothing (one
 * atomic ledger append); a batch runs each entry on its own and reports each outcome.
 */
public final class TransactionProvider {
  private final TransactionProcessor processor;

  public TransactionProvider(TransactionProcessor processor) {
    this.processor = processor;
  }

  @Transaction
  public Bundle transaction(@TransactionParam Bundle bundle) {
    String requester = Requester.current();
    if (bundle.getType() == BundleType.TRANSACTION) {
      return processor.transaction(bundle, requester);
    }
    if (bundle.getType() == BundleType.BATCH) {
      return batch(bundle, requester);
    }
    throw new InvalidRequestException(
        "Bundle.type must be transaction or batch, not " + bundle.getType());
  }

  private Bundle batch(Bundle bundle, String requester) {
    Bundle response = new Bundle().setType(BundleType.BATCHRESPONSE);
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      try {
        response.addEntry(processor.single(entry, requester));
      } catch (BaseServerResponseException e) {
        Bundle.BundleEntryComponent failed = response.addEntry();
        OperationOutcome outcome = new OperationOutcome();
        outcome
            .addIssue()
            .setSeverity(OperationOutcome.IssueSeverity.ERROR)
            .setCode(OperationOutcome.IssueType.PROCESSING)
            .setDiagnostics(e.getMessage());
        failed.getResponse().setStatus(e.getStatusCode() + "").setOutcome(outcome);
      }
    }
    return response;
  }
}
