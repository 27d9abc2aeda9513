// The patient's wallet in the browser: the steps of key-broker's PatientWallet (Java) with
// WebCrypto and jose, byte for byte the same formats, so the gateway verifies what this signs.
// Private keys are made here, sealed once into a password-protected recovery file, and kept only
// as non-extractable CryptoKeys; no private key ever leaves this module in clear except into that
// file. Runs in browsers and in Node 20 (globalThis.crypto), which the compatibility test uses.
// jose's modules one by one rather than its index: the browser then loads only what it runs.
import { CompactEncrypt } from "../vendor/jose/jwe/compact/encrypt.js";
import { compactDecrypt } from "../vendor/jose/jwe/compact/decrypt.js";
import { CompactSign } from "../vendor/jose/jws/compact/sign.js";
import { calculateJwkThumbprint } from "../vendor/jose/jwk/thumbprint.js";
import { importJWK } from "../vendor/jose/key/import.js";

const subtle = globalThis.crypto.subtle;
const EC = { name: "ECDSA", namedCurve: "P-256" };
const ECDH = { name: "ECDH", namedCurve: "P-256" };
const RECOVERY_FORMAT = "health-gateway-recovery-1";
const PBKDF2_ITERATIONS = 600000;
const GRANT_CONTENT_TYPE = "grant-key";
const CATEGORY_SYSTEM = "https://healthgateway.org/fhir/CodeSystem/data-category";

export class WrongPasswordError extends Error {
  constructor() {
    super("The password does not open this recovery file.");
  }
}

/** Fresh P-256 keys, as the Java wallet makes them: one for key agreement, one for signing. */
export async function generateKeys() {
  const encryption = await subtle.generateKey(ECDH, true, ["deriveBits"]);
  const signing = await subtle.generateKey(EC, true, ["sign", "verify"]);
  return {
    encryptionPrivate: await subtle.exportKey("jwk", encryption.privateKey),
    signingPrivate: await subtle.exportKey("jwk", signing.privateKey),
  };
}

/**
 * A wallet over private JWKs (from generateKeys or a recovery file). The CryptoKeys it keeps are
 * non-extractable; `persistable()` gives them for IndexedDB (structured clone keeps them sealed).
 */
export async function openWallet(patient, encryptionPrivateJwk, signingPrivateJwk) {
  const encryptionPublic = publicJwk(encryptionPrivateJwk);
  const signingPublic = publicJwk(signingPrivateJwk);
  return walletOf({
    patient,
    encryptionPublic,
    signingPublic,
    encryptionKey: await subtle.importKey(
      "jwk",
      { ...encryptionPrivateJwk, key_ops: ["deriveBits"] },
      ECDH,
      false,
      ["deriveBits"],
    ),
    signingKey: await subtle.importKey(
      "jwk",
      { ...signingPrivateJwk, key_ops: ["sign"] },
      EC,
      false,
      ["sign"],
    ),
  });
}

/** A wallet from what `persistable()` stored. */
export function restoreWallet(stored) {
  return walletOf(stored);
}

function walletOf(state) {
  const { patient, encryptionPublic, signingPublic, encryptionKey, signingKey } = state;
  return {
    patient,
    encryptionPublic,
    signingPublic,
    persistable: () => ({ ...state }),
    /** Proof of possession for $register-keys: a JWS over {sub, enc, sig, iat}. */
    registrationProof: async () =>
      sign(
        signingKey,
        signingPublic,
        json({
          sub: patient,
          enc: await thumbprint(encryptionPublic),
          sig: await thumbprint(signingPublic),
          iat: Math.floor(Date.now() / 1000),
        }),
        false,
      ),
    /** Detached JWS (header..signature) over canonical bytes, e.g. a Consent approval. */
    signDetached: (bytes) => sign(signingKey, signingPublic, bytes, true),
    /**
     * Re-wraps the patient's data keys for an actor: the answer of $wrapped-keys for one actor
     * (`held`: [{reference, grant, dataKey}] with dataKey base64) becomes a signed release
     * statement, the body of $release.
     */
    release: async (consent, actor, actorKeyJwk, held) => {
      const actorGrant = await subtle.generateKey({ name: "AES-KW", length: 256 }, true, [
        "wrapKey",
      ]);
      const grants = new Map();
      const keys = [];
      for (const key of held) {
        let grant = grants.get(key.grant);
        if (!grant) {
          grant = await openGrant(encryptionKey, encryptionPublic, key.grant);
          grants.set(key.grant, grant);
        }
        const dataKey = await subtle.unwrapKey(
          "raw",
          base64Decode(key.dataKey),
          grant,
          "AES-KW",
          { name: "AES-KW" },
          true,
          ["wrapKey"],
        );
        const rewrapped = await subtle.wrapKey("raw", dataKey, actorGrant, "AES-KW");
        keys.push({ reference: key.reference, dataKey: base64UrlEncode(new Uint8Array(rewrapped)) });
      }
      const grantBytes = new Uint8Array(await subtle.exportKey("raw", actorGrant));
      const statement = json({
        type: "key-release",
        consent,
        patient,
        actor,
        grantId: "g-" + base64UrlEncode(globalThis.crypto.getRandomValues(new Uint8Array(16))),
        grant: await wrapGrant(actorKeyJwk, grantBytes),
        keys,
        iat: Math.floor(Date.now() / 1000),
      });
      grantBytes.fill(0);
      return { statement, signature: await sign(signingKey, signingPublic, statement, true) };
    },
    /** Opens one data key (for tests and local decryption): raw bytes. */
    unwrapDataKey: async (grantJwe, wrappedDataKey) => {
      const grant = await openGrant(encryptionKey, encryptionPublic, grantJwe);
      const key = await subtle.unwrapKey(
        "raw",
        base64Decode(wrappedDataKey),
        grant,
        "AES-KW",
        { name: "AES-KW" },
        true,
        ["wrapKey"],
      );
      return new Uint8Array(await subtle.exportKey("raw", key));
    },
  };
}

/**
 * The recovery file: the private JWKs sealed with AES-256-GCM under a key derived from the
 * password (PBKDF2-SHA-256, 600,000 iterations, 16-byte salt). JSON, to be saved by the patient.
 */
export async function sealRecoveryFile(patient, keys, password) {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const kek = await passwordKey(password, salt);
  const plaintext = json({
    patient,
    encryptionKey: keys.encryptionPrivate,
    signingKey: keys.signingPrivate,
  });
  const ciphertext = await subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: json({ format: RECOVERY_FORMAT, patient }) },
    kek,
    plaintext,
  );
  plaintext.fill(0);
  return JSON.stringify(
    {
      format: RECOVERY_FORMAT,
      patient,
      kdf: { name: "PBKDF2", hash: "SHA-256", iterations: PBKDF2_ITERATIONS, salt: base64UrlEncode(salt) },
      cipher: { name: "AES-GCM", iv: base64UrlEncode(iv) },
      ciphertext: base64UrlEncode(new Uint8Array(ciphertext)),
    },
    null,
    2,
  );
}

/** Opens a recovery file: {patient, encryptionPrivate, signingPrivate}; WrongPasswordError. */
export async function openRecoveryFile(text, password) {
  let file;
  try {
    file = JSON.parse(text);
  } catch {
    throw new Error("This is not a recovery file.");
  }
  if (!file || file.format !== RECOVERY_FORMAT || !file.kdf || !file.cipher) {
    throw new Error("This is not a recovery file.");
  }
  if (file.kdf.iterations < 100000 || file.kdf.iterations > 10000000) {
    throw new Error("This recovery file's settings are not accepted.");
  }
  const kek = await passwordKey(password, base64Decode(file.kdf.salt), file.kdf.iterations);
  let plaintext;
  try {
    plaintext = await subtle.decrypt(
      {
        name: "AES-GCM",
        iv: base64Decode(file.cipher.iv),
        additionalData: json({ format: RECOVERY_FORMAT, patient: file.patient }),
      },
      kek,
      base64Decode(file.ciphertext),
    );
  } catch {
    throw new WrongPasswordError();
  }
  const keys = JSON.parse(new TextDecoder().decode(plaintext));
  return {
    patient: keys.patient,
    encryptionPrivate: keys.encryptionKey,
    signingPrivate: keys.signingKey,
  };
}

/**
 * The bytes a patient signs to approve or reject a Consent, as the gateway computes them
 * (ConsentChangeRule.canonicalForm): HAPI's compact JSON of the Consent with `text` removed and
 * `meta` reduced to {versionId: the version it replaces}. The Consent read from the server is
 * already in HAPI's element order; elements the app adds are put in that order here.
 */
export function canonicalConsent(consent, replacedVersion) {
  const copy = structuredClone(consent);
  delete copy.text;
  copy.meta = { versionId: String(replacedVersion) };
  return json(ordered(copy, "Consent"));
}

/** The approved Consent: status active, only `categories` kept, the given end date. */
export function approvedConsent(consent, categories, end) {
  const next = structuredClone(consent);
  next.status = "active";
  const provision = next.provision || {};
  provision.code = (provision.code || []).filter((concept) =>
    (concept.coding || []).some((c) => c.system === CATEGORY_SYSTEM && categories.includes(c.code)),
  );
  if (end) provision.period = { ...(provision.period || {}), end };
  next.provision = provision;
  return ordered(next, "Consent");
}

/** The data categories a Consent's top-level provision names. */
export function consentCategories(consent) {
  return ((consent.provision && consent.provision.code) || []).flatMap((concept) =>
    (concept.coding || []).filter((c) => c.system === CATEGORY_SYSTEM).map((c) => c.code),
  );
}

// HAPI writes elements in the order of the StructureDefinition; these are the R4 orders of the
// two structures an approval touches. Unknown members keep their place after the known ones, and
// a primitive's "_x" extension member follows "x".
const ORDER = {
  Consent: [
    "resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension",
    "modifierExtension", "identifier", "status", "scope", "category", "patient", "dateTime",
    "performer", "organization", "sourceAttachment", "sourceReference", "policy", "policyRule",
    "verification", "provision",
  ],
  provision: [
    "id", "extension", "modifierExtension", "type", "period", "actor", "action", "securityLabel",
    "purpose", "class", "code", "dataPeriod", "data", "provision",
  ],
  Period: ["id", "extension", "start", "end"],
};

function ordered(value, structure) {
  const order = ORDER[structure];
  if (!order || value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const rank = (key) => {
    const base = key.startsWith("_") ? key.slice(1) : key;
    const index = order.indexOf(base);
    return (index < 0 ? order.length : index) * 2 + (key.startsWith("_") ? 1 : 0);
  };
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b));
  const out = {};
  for (const key of keys) {
    let member = value[key];
    if (key === "provision") {
      member = Array.isArray(member)
        ? member.map((p) => ordered(p, "provision"))
        : ordered(member, "provision");
    } else if (key === "period" || key === "dataPeriod") {
      member = ordered(member, "Period");
    }
    out[key] = member;
  }
  return out;
}

async function openGrant(encryptionKey, encryptionPublic, jwe) {
  const expectedKid = await thumbprint(encryptionPublic);
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, encryptionKey, {
    keyManagementAlgorithms: ["ECDH-ES+A256KW"],
    contentEncryptionAlgorithms: ["A256GCM"],
  });
  if (protectedHeader.kid !== expectedKid || protectedHeader.cty !== GRANT_CONTENT_TYPE) {
    throw new Error("a grant key not wrapped for this wallet");
  }
  if (plaintext.length !== 32) throw new Error("a grant key is not 256 bits");
  const key = await subtle.importKey("raw", plaintext, { name: "AES-KW" }, false, ["unwrapKey"]);
  plaintext.fill(0);
  return key;
}

async function wrapGrant(actorKeyJwk, grantBytes) {
  const alg = actorKeyJwk.kty === "RSA" ? "RSA-OAEP-256" : "ECDH-ES+A256KW";
  const publicKey = publicJwk(actorKeyJwk);
  return new CompactEncrypt(grantBytes)
    .setProtectedHeader({
      alg,
      enc: "A256GCM",
      kid: await thumbprint(publicKey),
      cty: GRANT_CONTENT_TYPE,
    })
    .encrypt(await importJWK(publicKey, alg));
}

async function sign(signingKey, signingPublic, payload, detached) {
  const jws = await new CompactSign(payload)
    .setProtectedHeader({ alg: "ES256", kid: await thumbprint(signingPublic) })
    .sign(signingKey);
  if (!detached) return jws;
  const [header, , signature] = jws.split(".");
  return header + ".." + signature;
}

async function passwordKey(password, salt, iterations = PBKDF2_ITERATIONS) {
  const material = await subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** The public members of a JWK (EC or RSA), as the gateway registers them. */
export function publicJwk(jwk) {
  return jwk.kty === "RSA"
    ? { kty: "RSA", n: jwk.n, e: jwk.e }
    : { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y };
}

export function thumbprint(jwk) {
  return calculateJwkThumbprint(publicJwk(jwk), "sha256");
}

function json(value) {
  return new TextEncoder().encode(JSON.stringify(value));
}

export function base64Encode(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function base64UrlEncode(bytes) {
  return base64Encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Base64 or base64url, padded or not. */
export function base64Decode(text) {
  const normal = text.replace(/-/g, "+").replace(/_/g, "/").replace(/\s/g, "");
  const binary = atob(normal + "===".slice((normal.length + 3) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
