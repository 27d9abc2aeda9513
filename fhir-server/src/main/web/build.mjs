// Copies the apps and the browser builds of their two libraries into the directory given as the
// first argument (the Maven build passes target/classes/static/apps). No bundler: the apps are
// plain ES modules; fhirclient comes as its browser build (a global FHIR), jose as ES modules.
import { cpSync, mkdirSync, rmSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs <output directory>");
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const dir of ["shared", "patient", "practitioner"]) {
  cpSync(join(here, dir), join(out, dir), { recursive: true });
}
const vendor = join(out, "vendor");
mkdirSync(vendor, { recursive: true });
cpSync(
  join(here, "node_modules/fhirclient/build/fhir-client.pure.min.js"),
  join(vendor, "fhir-client.js"),
);
cpSync(join(here, "node_modules/jose/dist/webapi"), join(vendor, "jose"), { recursive: true });
cpSync(join(here, "node_modules/jose/LICENSE.md"), join(vendor, "jose/LICENSE.md"));
cpSync(join(here, "node_modules/fhirclient/LICENSE"), join(vendor, "fhir-client.LICENSE"));

let bytes = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) walk(path);
    else bytes += stat.size;
  }
};
walk(out);
writeFileSync(join(out, "build-info.json"), JSON.stringify({ bytes }) + "\n");
console.log(`apps built into ${out} (${bytes} bytes)`);
