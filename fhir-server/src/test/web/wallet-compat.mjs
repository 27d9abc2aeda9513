// Runs the patient app's wallet (the built patient/wallet.js) in Node on the input a Java test
// wrote, and prints what the browser would send: the Java test checks it with the gateway's code.
// Usage: node wallet-compat.mjs <built apps directory> <input.json>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [appsDir, inputFile] = process.argv.slice(2);
const wallet = await import(pathToFileURL(join(appsDir, "patient/wallet.js")).href);
const input = JSON.parse(readFileSync(inputFile, "utf8"));
const b64 = (bytes) => Buffer.from(bytes).toString("base64");

// Keys made in the "browser": public keys and a proof of possession the gateway must accept.
const fresh = await wallet.generateKeys();
const generated = await wallet.openWallet(input.patient, fresh.encryptionPrivate, fresh.signingPrivate);

// The recovery file opens with its password only, to the same keys.
const file = await wallet.sealRecoveryFile(input.patient, fresh, "correct horse battery staple");
const reopened = await wallet.openRecoveryFile(file, "correct horse battery staple");
let wrongPasswordRefused = false;
try {
  await wallet.openRecoveryFile(file, "wrong password");
} catch (e) {
  wrongPasswordRefused = e instanceof wallet.WrongPasswordError;
}
const restored = await wallet.openWallet(input.patient, reopened.encryptionPrivate, reopened.signingPrivate);

// The Java test's keys, as a restored wallet holds them (non-extractable CryptoKeys).
const w = await wallet.openWallet(input.patient, input.encryptionPrivate, input.signingPrivate);
const approved = wallet.approvedConsent(input.consent, input.categories, input.end);
const canonical = wallet.canonicalConsent(approved, input.replacedVersion);
const releases = [];
for (const actor of input.actors) {
  const release = await w.release(input.consentReference, actor.actor, actor.key, input.held);
  releases.push({ actor: actor.actor, statement: b64(release.statement), signature: release.signature });
}

console.log(
  JSON.stringify({
    generated: {
      encryptionKey: generated.encryptionPublic,
      signingKey: generated.signingPublic,
      proof: await generated.registrationProof(),
    },
    recovery: {
      sameKeys:
        (await wallet.thumbprint(restored.signingPublic)) === (await wallet.thumbprint(generated.signingPublic)) &&
        (await wallet.thumbprint(restored.encryptionPublic)) === (await wallet.thumbprint(generated.encryptionPublic)),
      wrongPasswordRefused,
      hasPrivateKeyInClear: file.includes('"d"'),
    },
    proof: await w.registrationProof(),
    approved,
    canonical: b64(canonical),
    approvalSignature: await w.signDetached(canonical),
    releases,
  }),
);
