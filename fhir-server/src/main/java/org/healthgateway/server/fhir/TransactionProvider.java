package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.healthgateway.server.requester.Requester;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * {@code POST [base]} with a batch or transaction Bundle. A transaction is all-or-nothing (one
 * atomic ledger append); a batch runs each entry on its own and reports each outcome.
 */
public final class TransactionProvider {
  private final TransactionProcessor processor;
  private final ExecutorService batchWorkers;
  private final BatchEntryCheck entryCheck;

  public TransactionProvider(
      TransactionProcessor processor, ExecutorService batchWorkers, BatchEntryCheck entryCheck) {
    this.processor = processor;
    this.batchWorkers = batchWorkers;
    this.entryCheck = entryCheck;
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

  /**
   * Batch entries are independent (FHIR R4 §3.1.0.11.2), so they run concurrently and their ledger
   * appends share fsyncs; entries with the same conditional-create criteria run one after the other
   * (the processor serializes them, across requests too) so that duplicates create one resource.
   */
  private Bundle batch(Bundle bundle, String requester) {
    java.util.function.Consumer<Bundle.BundleEntryComponent> check = entryCheck.forCurrentRequest();
    List<CompletableFuture<Bundle.BundleEntryComponent>> results = new ArrayList<>();
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      results.add(
          CompletableFuture.supplyAsync(() -> runEntry(entry, check, requester), batchWorkers));
    }
    Bundle response = new Bundle().setType(BundleType.BATCHRESPONSE);
    results.forEach(r -> response.addEntry(r.join()));
    return response;
  }

  private Bundle.BundleEntryComponent runEntry(
      Bundle.BundleEntryComponent entry,
      java.util.function.Consumer<Bundle.BundleEntryComponent> check,
      String requester) {
    try {
      check.accept(entry);
      return processor.single(entry, requester);
    } catch (RuntimeException failure) {
      // One failing entry answers for itself; an unexpected failure is logged, not a 500 for all.
      BaseServerResponseException e = Errors.map(failure);
      Bundle.BundleEntryComponent failed = new Bundle.BundleEntryComponent();
      OperationOutcome outcome;
      if (e.getOperationOutcome() instanceof OperationOutcome attached) {
        outcome = attached;
      } else {
        outcome = new OperationOutcome();
        outcome
            .addIssue()
            .setSeverity(OperationOutcome.IssueSeverity.ERROR)
            .setCode(OperationOutcome.IssueType.PROCESSING)
            .setDiagnostics(e.getMessage());
      }
      failed.getResponse().setStatus(Integer.toString(e.getStatusCode())).setOutcome(outcome);
      return failed;
    }
  }
}
