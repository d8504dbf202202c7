/**
 * Google OAuth 2.0 access tokens for BigQuery: `GOOGLE_OAUTH_ACCESS_TOKEN` as given, or a
 * service-account key (`GOOGLE_APPLICATION_CREDENTIALS`: a key file path, or the key JSON
 * itself where files cannot be read) exchanged through the JWT bearer flow at the key's own
 * `token_uri`, signed RS256 with WebCrypto, and cached until shortly before it expires.
 *
 * @module
 */
import type { ConnectorContext } from "../../mod.ts";
import { ConnectorError, InputError } from "../../mod.ts";

/** The variables the connector reads credentials from. */
export const KEY_ENV = "GOOGLE_APPLICATION_CREDENTIALS";
export const TOKEN_ENV = "GOOGLE_OAUTH_ACCESS_TOKEN";

const SCOPE = "https://www.googleapis.com/auth/bigquery";
const encoder = new TextEncoder();

/** The fields of a service-account key file the flow needs. */
interface ServiceAccountKey {
  type?: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

function base64url(bytes: Uint8Array | string): string {
  const data = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  let binary = "";
  for (const byte of data) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function readKey(value: string): Promise<ServiceAccountKey> {
  let text = value.trim();
  if (!text.startsWith("{")) {
    try {
      text = await Deno.readTextFile(value);
    } catch (error) {
      // Sandboxed, no file is readable, and only the message crosses to the user: say it there.
      const denied = error instanceof Error && /NotCapable|PermissionDenied/.test(error.name);
      throw new InputError(
        denied
          ? `a sandboxed connector cannot read the service-account key file ${KEY_ENV} names; set ${KEY_ENV} to the key JSON itself (or ${TOKEN_ENV} to an access token)`
          : `cannot read the service-account key file ${KEY_ENV} names`,
        {
          cause: error,
          hint: `set ${KEY_ENV} to a readable key file (or, sandboxed, to the key JSON itself)`,
        },
      );
    }
  }
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(text);
  } catch (error) {
    throw new InputError(`the service-account key in ${KEY_ENV} is not JSON`, { cause: error });
  }
  if (!key.client_email || !key.private_key) {
    throw new InputError(
      `the service-account key in ${KEY_ENV} has no client_email or private_key`,
      { hint: "download a JSON key of a service account (IAM -> Service accounts -> Keys)" },
    );
  }
  return key;
}

async function signedAssertion(key: ServiceAccountKey, audience: string): Promise<string> {
  const pem = key.private_key.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const der = Uint8Array.from(atob(pem), (c) => c.charCodeAt(0));
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    der,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  ).catch((error) => {
    throw new InputError(`the private_key of the service-account key in ${KEY_ENV} is invalid`, {
      cause: error,
    });
  });
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: key.private_key_id }));
  const claims = base64url(JSON.stringify({
    iss: key.client_email,
    scope: SCOPE,
    aud: audience,
    iat: now,
    exp: now + 3600,
  }));
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    privateKey,
    encoder.encode(`${header}.${claims}`),
  );
  return `${header}.${claims}.${base64url(new Uint8Array(signature))}`;
}

/** Returns a function giving a valid access token, fetching a new one when it runs out. */
export function googleAccessToken(ctx: ConnectorContext): () => Promise<string> {
  const given = ctx.env(TOKEN_ENV);
  if (given) return () => Promise.resolve(given);
  const keyRef = ctx.env(KEY_ENV);
  if (!keyRef) {
    throw new InputError(`neither ${KEY_ENV} nor ${TOKEN_ENV} is set`, {
      hint: `set ${KEY_ENV} to a service-account key file, or ${TOKEN_ENV} to an access token`,
    });
  }
  let cached: { token: string; expiresAt: number } | undefined;
  return async () => {
    if (cached && cached.expiresAt > Date.now() + 60_000) return cached.token;
    const key = await readKey(keyRef);
    const tokenUri = key.token_uri ?? "https://oauth2.googleapis.com/token";
    const response = await ctx.fetch(tokenUri, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: await signedAssertion(key, tokenUri),
      }),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 300);
      try {
        const body = JSON.parse(text);
        message = [body.error, body.error_description].filter(Boolean).join(": ") || message;
      } catch {
        // Not JSON.
      }
      const Kind = response.status === 400 || response.status === 401 ? InputError : ConnectorError;
      throw new Kind(
        `the token endpoint refused the service account of ${KEY_ENV} (HTTP ${response.status})`,
        { cause: new Error(message), hint: "check that the key is current and not disabled" },
      );
    }
    const body = JSON.parse(text) as { access_token: string; expires_in?: number };
    cached = {
      token: body.access_token,
      expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
    };
    return cached.token;
  };
}
