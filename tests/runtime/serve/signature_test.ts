import assert from "node:assert/strict";
import { signatureKey, signBody } from "../../../runtime/serve/signature.ts";

const encoder = new TextEncoder();

Deno.test("signatureKey verifies sha256=<hex HMAC> of the raw body, and nothing else", () => {
  const key = signatureKey("s3cret");
  const body = encoder.encode('{"webhookEvent":"jira:issue_updated"}');
  const header = signBody("s3cret", body);
  // The HMAC-SHA256 of this body keyed "s3cret", computed independently (openssl dgst -hmac).
  assert.equal(header, "sha256=d526c926197378546ace58856028d2f896fd75d707bf27746fea9cdd5e04802f");
  assert.equal(key.verify(body, header), true);
  assert.equal(key.verify(body, header.toUpperCase().replace("SHA256=", "sha256=")), true);
  const last = header.at(-1) === "0" ? "1" : "0";
  assert.equal(key.verify(body, header.slice(0, -1) + last), false);
  assert.equal(key.verify(encoder.encode('{"webhookEvent":"jira:issue_deleted"}'), header), false);
  assert.equal(signatureKey("other").verify(body, header), false);
  assert.equal(key.verify(body, header.slice("sha256=".length)), false);
  assert.equal(key.verify(body, header.slice(0, -2)), false);
  assert.equal(key.verify(body, `${header}00`), false);
  assert.equal(key.verify(body, "sha256=" + "g".repeat(64)), false);
  assert.equal(key.verify(body, null), false);
});
