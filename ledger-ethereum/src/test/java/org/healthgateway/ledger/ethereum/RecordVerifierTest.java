package org.healthgateway.ledger.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.ledger.TransactionType.IDENTITY;
import static org.healthgateway.ledger.TransactionType.MEMBER;

import com.nimbusds.jose.jwk.JWK;
import java.util.List;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.ethereum.RecordVerifier.Reason;
import org.healthgateway.ledger.ethereum.RecordVerifier.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The membership rules, record by record, without a chain. */
class RecordVerifierTest {

  private static final String A = "Device/hospital-a";
  private static final String B = "Device/hospital-b";
  private static final String C = "Device/hospital-c";
  private static final String PRACTITIONER = "Practitioner/p";

  private final JWK keyA = ChainFixtures.ec();
  private final JWK keyB = ChainFixtures.ec();
  private final JWK keyC = ChainFixtures.ec();
  private final JWK practitionerKey = ChainFixtures.ec();
  private Membership membership;
  private RecordVerifier verifier;
  private long index;

  @BeforeEach
  void registryOfA() throws LedgerException {
    membership = new Membership(List.of(keyA.toPublicJWK()));
    verifier = new RecordVerifier(membership, 1 << 20);
  }

  private Verdict verify(SignedRecord record) throws LedgerException {
    Verdict verdict = verifier.verify(RecordCodec.encode(record), index);
    if (verdict.ok()) {
      index += record.size();
    }
    return verdict;
  }

  private Verdict register(
      org.healthgateway.ledger.TransactionType type, JWK signer, String by, String subject, JWK key)
      throws LedgerException {
    return verify(ChainFixtures.registration(type, signer, by, subject, key));
  }

  private void admitBandC() throws LedgerException {
    assertThat(register(MEMBER, keyA, A, B, keyB).ok()).isTrue();
    assertThat(register(MEMBER, keyA, A, C, keyC).ok()).isTrue();
  }

  @Test
  void verify_recordSignedByARegistryKey_makesItsAuthorAFoundingMember() throws Exception {
    Verdict genesis = register(IDENTITY, keyA, A, A, keyA);

    assertThat(genesis.ok()).as(genesis.message()).isTrue();
    String thumbprint = DetachedJws.thumbprint(keyA.toPublicJWK());
    assertThat(membership.members()).containsExactly(new Member(A, thumbprint, Member.REGISTRY, 0));
    assertThat(membership.isMember(A)).isTrue();
  }

  @Test
  void verify_recordOfAnUnknownKey_isRefused() throws Exception {
    Verdict verdict = verify(ChainFixtures.record(keyB, B, 1, 1));

    assertThat(verdict.reason()).isEqualTo(Reason.UNKNOWN_KEY);
    assertThat(membership.isMemberKey(DetachedJws.thumbprint(keyB.toPublicJWK()))).isFalse();
  }

  @Test
  void verify_memberByAMember_admitsTheNodeWhoseRecordsThenVerify() throws Exception {
    assertThat(verify(ChainFixtures.record(keyB, B, 1, 1)).ok()).isFalse();

    assertThat(register(MEMBER, keyA, A, B, keyB).ok()).isTrue();

    assertThat(verify(ChainFixtures.record(keyB, B, 1, 1)).ok()).isTrue();
    assertThat(membership.members())
        .extracting(Member::identity, Member::admittedBy, Member::ledgerIndex)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(A, Member.REGISTRY, 0L),
            org.assertj.core.groups.Tuple.tuple(B, A, 0L));
    assertThat(register(IDENTITY, keyB, B, PRACTITIONER, practitionerKey).ok()).isTrue();
    assertThat(verify(ChainFixtures.record(practitionerKey, PRACTITIONER, 2, 1)).ok()).isTrue();
  }

  @Test
  void verify_memberByANonMember_isRefused() throws Exception {
    assertThat(register(IDENTITY, keyA, A, PRACTITIONER, practitionerKey).ok()).isTrue();

    Verdict verdict = register(MEMBER, practitionerKey, PRACTITIONER, B, keyB);

    assertThat(verdict.reason()).isEqualTo(Reason.MEMBER);
    assertThat(membership.isMember(B)).isFalse();
  }

  @Test
  void verify_memberForAnAdmittedNodeWithAnotherKey_onlyByTheMemberWhoAdmittedIt()
      throws Exception {
    admitBandC();
    JWK other = ChainFixtures.ec();

    Verdict byC = register(MEMBER, keyC, C, B, other);
    Verdict sameKeyByC = register(MEMBER, keyC, C, B, keyB);
    Verdict byA = register(MEMBER, keyA, A, B, other);

    assertThat(byC.reason()).isEqualTo(Reason.MEMBER);
    assertThat(sameKeyByC.ok()).as("the same key again changes nothing").isTrue();
    assertThat(byA.ok()).as("a key rotation by the admitting member").isTrue();
    assertThat(verify(ChainFixtures.record(other, B, 1, 1)).ok()).isTrue();
  }

  @Test
  void verify_memberWithTheKeyOfAnotherMember_isRefused() throws Exception {
    admitBandC();

    assertThat(register(MEMBER, keyC, C, "Device/hospital-d", keyB).reason())
        .isEqualTo(Reason.MEMBER);
  }

  @Test
  void verify_identityOfASubjectRegisteredByAnotherMember_isRefusedAsAHijack() throws Exception {
    admitBandC();
    assertThat(register(IDENTITY, keyA, A, PRACTITIONER, practitionerKey).ok()).isTrue();
    JWK stolen = ChainFixtures.ec();

    Verdict hijack = register(IDENTITY, keyC, C, PRACTITIONER, stolen);

    assertThat(hijack.reason()).isEqualTo(Reason.IDENTITY);
    assertThat(hijack.message()).contains("registered by " + A);
    assertThat(verify(ChainFixtures.record(stolen, PRACTITIONER, 1, 1)).reason())
        .isEqualTo(Reason.UNKNOWN_KEY);
    JWK rotated = ChainFixtures.ec();
    assertThat(register(IDENTITY, keyA, A, PRACTITIONER, rotated).ok()).isTrue();
    assertThat(verify(ChainFixtures.record(rotated, PRACTITIONER, 2, 1)).ok()).isTrue();
    assertThat(verify(ChainFixtures.record(practitionerKey, PRACTITIONER, 3, 1)).ok()).isTrue();
  }

  @Test
  void verify_identityForAMemberOrByANonMember_isRefused() throws Exception {
    admitBandC();
    assertThat(register(IDENTITY, keyA, A, PRACTITIONER, practitionerKey).ok()).isTrue();

    assertThat(register(IDENTITY, keyA, A, B, ChainFixtures.ec()).reason())
        .isEqualTo(Reason.IDENTITY);
    assertThat(register(IDENTITY, practitionerKey, PRACTITIONER, "Patient/x", ChainFixtures.ec()))
        .extracting(Verdict::reason)
        .isEqualTo(Reason.IDENTITY);
    assertThat(register(IDENTITY, keyB, B, B, keyB).ok())
        .as("a member restating its own key")
        .isTrue();
  }

  @Test
  void verify_registryKeySigningForAnotherAuthor_isRefused() throws Exception {
    assertThat(register(IDENTITY, keyA, A, A, keyA).ok()).isTrue();

    assertThat(verify(ChainFixtures.record(keyA, B, 1, 1)).reason()).isEqualTo(Reason.UNKNOWN_KEY);
  }

  @Test
  void verify_recordWithOneRefusedTransaction_learnsNothingOfTheOthers() throws Exception {
    admitBandC();
    assertThat(register(IDENTITY, keyA, A, PRACTITIONER, practitionerKey).ok()).isTrue();
    JWK keyD = ChainFixtures.ec();
    SignedRecord mixed =
        SignedRecord.sign(
            List.of(
                ChainFixtures.registrationTx(MEMBER, C, "Device/hospital-d", keyD),
                ChainFixtures.registrationTx(IDENTITY, C, PRACTITIONER, ChainFixtures.ec())),
            DetachedJws.signer(keyC));

    assertThat(verify(mixed).reason()).isEqualTo(Reason.IDENTITY);
    assertThat(membership.isMember("Device/hospital-d")).isFalse();
    assertThat(verify(ChainFixtures.record(keyD, "Device/hospital-d", 1, 1)).reason())
        .isEqualTo(Reason.UNKNOWN_KEY);
  }
}
