/**
 * The mysql2 `ssl` option for a {@linkcode SslMode}: what the MySQL client's `--ssl-mode`
 * does, in mysql2's terms. mysql2 has no "preferred": the client tries TLS and, when the server
 * says it has none, connects again without (mysql_client.ts).
 *
 * @module
 */
import { InputError } from "../../mod.ts";
import type { MysqlSettings, SslMode } from "./settings.ts";

/** The subset of mysql2's SslOptions this connector sets. */
export interface TlsOptions {
  ca?: string;
  rejectUnauthorized: boolean;
  verifyIdentity: boolean;
}

/** mysql2's `ssl` for the settings (undefined: plain TCP); reads the CA file of verify modes. */
export async function tlsOptions(settings: MysqlSettings): Promise<TlsOptions | undefined> {
  const mode: SslMode = settings.sslMode;
  if (mode === "disabled") return undefined;
  if (mode === "preferred" || mode === "required") {
    // Encrypted, certificate not checked: what MySQL's own client does in these modes.
    return { rejectUnauthorized: false, verifyIdentity: false };
  }
  return {
    ca: settings.sslCa ? await readCa(settings.sslCa) : undefined,
    rejectUnauthorized: true,
    verifyIdentity: mode === "verify_identity",
  };
}

async function readCa(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new InputError(
      `mysql config ssl_ca: cannot read "${path}": ${(error as Error).message}`,
      {
        hint: "set ssl_ca to the PEM file of the CA that signed the server's certificate",
      },
    );
  }
}

/** True for mysql2's error when TLS was asked of a server that offers none. */
export function isNoTlsSupport(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === "HANDSHAKE_NO_SSL_SUPPORT";
}
