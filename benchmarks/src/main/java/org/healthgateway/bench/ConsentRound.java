package org.healthgateway.bench;

import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.healthgateway.keys.wallet.PatientWallet;
import org.hl7.fhir.r4.model.Consent;

/**
 * One round of the consent flow: its data (the versions written, all dated {@link #dataDate}), its
 * consent, and how far it got. A stage works on one round at a time; only the versions are filled
 * concurrently.
 */
final class ConsentRound {
  final int index;
  final Instant dataDate;

  /** {@code Observation/id/_history/v} of every version written for this round. */
  final Set<String> versions = ConcurrentHashMap.newKeySet();

  /** The phase the round failed in; later stages skip it. */
  volatile String failedIn;

  String consentId;
  long proposedVersion = 1;
  Consent active;
  String approval;
  boolean approved;
  JWK actorKey;
  List<PatientWallet.HeldKey> keys = List.of();
  PatientWallet.SignedRelease release;
  boolean released;

  ConsentRound(int index, Instant dataDate) {
    this.index = index;
    this.dataDate = dataDate;
  }

  void fail(PhaseStats stats) {
    failedIn = stats.name;
  }

  boolean live() {
    return failedIn == null;
  }

  @Override
  public String toString() {
    return "round " + index + (consentId == null ? "" : " (" + consentId + ")");
  }
}
