import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
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

Deno.test("signatureKey computes HMAC-SHA256 for secrets of any length, as node:crypto's createHmac does", () => {
  // RFC 4231 test case 2, HMAC-SHA-256.
  const jefe = encoder.encode("what do ya want for nothing?");
  assert.equal(
    signatureKey("Jefe").verify(
      jefe,
      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    true,
  );
  // Around SHA-256's 64-byte block (longer keys are hashed first), and multi-byte characters.
  const body = encoder.encode('{"webhookEvent":"comment_created","text":"é ✓"}');
  for (const length of [0, 1, 63, 64, 65, 200]) {
    for (const unit of ["k", "é"]) {
      const secret = unit.repeat(length);
      const expected = createHmac("sha256", secret).update(body).digest("hex");
      assert.equal(signatureKey(secret).verify(body, `sha256=${expected}`), true, secret);
      assert.equal(signatureKey(`${secret}x`).verify(body, `sha256=${expected}`), false, secret);
    }
  }
});
