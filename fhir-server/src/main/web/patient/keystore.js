// The wallet's keys on this device: IndexedDB holds the non-extractable CryptoKeys (structured
// clone keeps them non-extractable: script can use them, never read them) and the public JWKs,
// one record per patient.
const DB = "health-gateway-wallet";
const STORE = "wallets";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "patient" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run(mode, action) {
  return open().then(
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = action(tx.objectStore(STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        tx.onerror = () => reject(tx.error);
      }),
  );
}

export function loadWalletState(patient) {
  return run("readonly", (store) => store.get(patient));
}

export function saveWalletState(state) {
  return run("readwrite", (store) => store.put(state));
}

export function forgetWallet(patient) {
  return run("readwrite", (store) => store.delete(patient));
}
