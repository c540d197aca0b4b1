// vobiz-vault from Node.js, with the standard library only (node:http over the Unix socket).
//
//   import { Vault } from "./vobiz_vault.mjs";
//   const vault = new Vault();               // $VOBIZ_VAULT_SOCKET or /run/vobiz-vault/vault.sock
//   const h = await vault.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_X/Call/");
//   const r = await vault.proxy("GET", "/api/v1/Account/MA_X/Call/");   // the vault attaches the token
//   const v = await vault.verifyCallback("MA_X", "POST", url, headers, params);
import http from "node:http";
import crypto from "node:crypto";

export const DEFAULT_SOCKET = "/run/vobiz-vault/vault.sock";

// Never sent to the vault: it attaches the credential itself, and drops these again.
const DROPPED = new Set(["x-auth-id", "x-auth-token", "authorization", "cookie", "host", "connection",
  "content-length", "transfer-encoding", "x-vault-credential"]);

export class VaultError extends Error {
  constructor(status, type, detail) {
    super(`vobiz-vault: ${type} (${status}): ${detail}`);
    this.status = status;
    this.type = type;
    this.detail = detail;
  }
}

export class Vault {
  constructor(socketPath) {
    this.socketPath = socketPath || process.env.VOBIZ_VAULT_SOCKET || DEFAULT_SOCKET;
  }

  // One request on the socket: { status, headers, body (Buffer) }.
  request(method, path, headers = {}, body = undefined) {
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, method, path, headers, timeout: 30000 }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("timeout", () => req.destroy(new Error("no answer in 30 s")));
      req.on("error", (e) => reject(new VaultError(0, "unreachable", `${this.socketPath}: ${e.message}`)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  async callJSON(path, payload) {
    const body = Buffer.from(JSON.stringify(payload));
    const r = await this.request("POST", path, { "Content-Type": "application/json", "Content-Length": body.length }, body);
    let answer;
    try { answer = JSON.parse(r.body.toString("utf8")); } catch { throw new VaultError(r.status, "malformed", "the vault's answer is not JSON"); }
    if (r.status !== 200) throw new VaultError(r.status, String(answer.type || "error").split(":").pop(), answer.detail || "");
    return answer;
  }

  // The headers of one upstream request (POST /v1/headers). A body is bound to sealed headers by
  // its SHA-256: send exactly these bytes.
  async headers(method, url, { body, credential } = {}) {
    const payload = { method: method.toUpperCase(), url };
    if (body !== undefined) payload.body_sha256 = crypto.createHash("sha256").update(body).digest("hex");
    if (credential) payload.credential = credential;
    return (await this.callJSON("/v1/headers", payload)).headers;
  }

  // A call through the vault's proxy: `path` is the Vobiz API path (and query); the vault checks
  // the caller's grant and attaches the token.
  async proxy(method, path, { headers = {}, body, credential } = {}) {
    const out = {};
    for (const [k, v] of Object.entries(headers)) if (!DROPPED.has(k.toLowerCase())) out[k] = v;
    if (credential) out["X-Vault-Credential"] = credential;
    if (body !== undefined) out["Content-Length"] = Buffer.byteLength(body);
    return this.request(method, "/v1/proxy" + path, out, body);
  }

  // Checks a callback's signature with the token the vault holds (POST /v1/callbacks/verify).
  verifyCallback(credential, method, url, headers, params) {
    const payload = { credential, method: method.toUpperCase(), url, headers };
    if (params !== undefined) payload.params = params;
    return this.callJSON("/v1/callbacks/verify", payload);
  }
}
