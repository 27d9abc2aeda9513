package org.healthgateway.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Self-signed X.509 certificates that carry a key pair's public key and its identity (as CN) in a
 * keystore entry. They are containers, not trust statements: nothing validates them.
 */
final class SelfSignedCertificates {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALIDITY = Duration.ofDays(365L * 100);

  private SelfSignedCertificates() {}

  static X509Certificate create(KeyPair keyPair, String commonName, Provider bc)
      throws GeneralSecurityException {
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.CN, new DERUTF8String(commonName))
            .build();
    Instant now = Instant.now();
    String signatureAlg =
        keyPair.getPublic() instanceof RSAPublicKey ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(signatureAlg).setProvider(bc).build(keyPair.getPrivate());
      X509CertificateHolder holder =
          new JcaX509v3CertificateBuilder(
                  name,
                  new BigInteger(127, RANDOM).add(BigInteger.ONE),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(VALIDITY)),
                  name,
                  keyPair.getPublic())
              .build(signer);
      return new JcaX509CertificateConverter().setProvider(bc).getCertificate(holder);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot create a certificate", e);
    }
  }

  /** Returns the CN of {@code certificate}'s subject, exactly as stored. */
  static String commonName(X509Certificate certificate) throws GeneralSecurityException {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    RDN[] rdns = subject.getRDNs(BCStyle.CN);
    if (rdns.length != 1) {
      throw new GeneralSecurityException("certificate subject has no single CN");
    }
    ASN1Encodable value = rdns[0].getFirst().getValue();
    if (!(value instanceof ASN1String string)) {
      throw new GeneralSecurityException("certificate CN is not a string");
    }
    return string.getString();
  }
}
