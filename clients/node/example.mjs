// The three things an application does with the vault, printed as one JSON object (the test
// suite runs this against the real daemon). usage: node example.mjs AUTH_ID UPSTREAM_ORIGIN CALLBACK_JSON
// The socket comes from $VOBIZ_VAULT_SOCKET. CALLBACK_JSON: {"url","params","headers"} of a
// callback Vobiz signed.
import fs from "node:fs";
import { Vault, VaultError } from "./vobiz_vault.mjs";

const [authID, upstream, callbackFile] = process.argv.slice(2);
const vault = new Vault();
const path = `/api/v1/Account/${authID}/Call/`;
const out = { socket: vault.socketPath };

// Sealed headers for a POST, then the call through the proxy with exactly those headers and bytes.
const body = JSON.stringify({ from: "+15550001", to: "+15550002", answer_url: "https://example.com/answer" });
const h = await vault.headers("POST", upstream + path, { body });
out.sealed = "X-Vault-Signature" in h && !("X-Auth-Token" in h);
out.sealed_call = (await vault.proxy("POST", path, { headers: h, body })).status;
// A plain call through the proxy: the vault's grant decides, the vault attaches the token.
const listed = await vault.proxy("GET", path, { headers: { "X-Auth-Token": "not-a-real-token" } });
out.proxy_get = listed.status;
out.proxy_objects = JSON.parse(listed.body.toString("utf8")).objects?.length ?? -1;
try {
  await vault.headers("GET", upstream + "/api/v1/Account/MA_NOTHELD/Call/");
  out.refusal = "none";
} catch (e) {
  out.refusal = e instanceof VaultError ? e.type : String(e);
}
const cb = JSON.parse(fs.readFileSync(callbackFile, "utf8"));
out.callback = (await vault.verifyCallback(authID, "POST", cb.url, cb.headers, cb.params)).valid;
try {
  await vault.verifyCallback(authID, "POST", cb.url, cb.headers, cb.params);
  out.callback_replay = "accepted";
} catch (e) {
  out.callback_replay = e.type;
}
console.log(JSON.stringify(out));
