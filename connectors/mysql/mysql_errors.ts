/**
 * Turns driver errors into messages that say what to fix. Connection-level problems a user fixes
 * in the config (wrong credentials, unknown database or host, no access) are InputErrors (exit 2);
 * failures of a running source (server down, connection lost, table gone) are ConnectorErrors,
 * which fail the table being read (exit 1). The password is never part of any message.
 *
 * @module
 */
import { ConnectorError, InputError } from "../../mod.ts";
import type { MysqlSettings } from "./settings.ts";
import { describeTarget } from "./settings.ts";

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
}

/**
 * A failure of one table. The runtime reports a failed table by its message alone, so the fix
 * is part of the message as well as the hint.
 */
export function tableFailure(message: string, fix: string): ConnectorError {
  return new ConnectorError(`${message}; ${fix}`, { hint: fix });
}

/** Removes the password from a message, in case a driver ever echoed it. */
export function redact(message: string, password: string | undefined): string {
  return password ? message.replaceAll(password, "***") : message;
}

/** Explains a driver error; `table` names the table being read, if any. */
export function explainError(
  error: unknown,
  settings: MysqlSettings,
  table?: string,
): ConnectorError | InputError {
  if (error instanceof ConnectorError || error instanceof InputError) return error;
  const driver = (error ?? {}) as DriverError;
  const target = describeTarget(settings);
  const reason = redact(driver.message ?? String(error), settings.password);
  const where = table ? `table "${table}": ` : "";
  switch (driver.code) {
    case "ECONNREFUSED":
      return new ConnectorError(`cannot connect to MySQL at ${target}: connection refused`, {
        hint: "start the server, or fix host and port (MYSQL_HOST, MYSQL_TCP_PORT)",
      });
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new InputError(`cannot connect to MySQL at ${target}: unknown host`, {
        hint: "fix host in the source config (or MYSQL_HOST)",
      });
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new ConnectorError(`cannot reach MySQL at ${target}: ${reason}`, {
        hint: "check that the host is reachable and a firewall lets the port through",
      });
    case "ER_ACCESS_DENIED_ERROR":
    case "ER_ACCESS_DENIED_NO_PASSWORD_ERROR":
      return new InputError(`authentication failed for ${target}: ${reason}`, {
        hint: "check user (MYSQL_USER) and the password in MYSQL_PWD",
      });
    case "ER_BAD_DB_ERROR":
      return new InputError(`unknown database "${settings.database}" on ${target}`, {
        hint: "fix database in the source config (or MYSQL_DATABASE); SHOW DATABASES lists them",
      });
    case "ER_DBACCESS_DENIED_ERROR":
      return new InputError(`permission denied on database "${settings.database}": ${reason}`, {
        hint: `GRANT SELECT ON \`${settings.database}\`.* TO the user, or connect as another user`,
      });
    case "ER_TABLEACCESS_DENIED_ERROR":
    case "ER_COLUMNACCESS_DENIED_ERROR":
      return tableFailure(
        `${where}permission denied: ${reason}`,
        "GRANT SELECT on the table to the user, or leave the table out of tables",
      );
    case "ER_NO_SUCH_TABLE":
      return tableFailure(
        `${where}the table no longer exists: ${reason}`,
        "it was dropped or renamed after discovery; run again to see the current tables",
      );
    case "ER_SECURE_TRANSPORT_REQUIRED":
      return new InputError(`${target} accepts only TLS connections: ${reason}`, {
        hint: `sslmode is ${settings.sslMode}; set sslmode to preferred, required or verify_ca`,
      });
    case "HANDSHAKE_NO_SSL_SUPPORT":
      return new InputError(`${target} does not offer TLS, but sslmode is ${settings.sslMode}`, {
        hint:
          "enable TLS on the server, or set sslmode to preferred (TLS when offered) or disabled",
      });
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_HAS_EXPIRED":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return new InputError(`the TLS certificate of ${target} was not accepted: ${reason}`, {
        hint:
          `set ssl_ca to the PEM file of the CA that signed it (sslmode ${settings.sslMode}), ` +
          "or sslmode: required to encrypt without verifying the certificate",
      });
    case "PROTOCOL_CONNECTION_LOST":
    case "ECONNRESET":
    case "EPIPE":
    case "ER_CONNECTION_KILLED":
    case "ER_QUERY_INTERRUPTED":
    case "ER_SERVER_SHUTDOWN":
      return new ConnectorError(
        `${where}the connection to ${target} was lost mid-read: ${reason}`,
        {
          hint: "the server closed the connection (killed, restarted or timed out); run again",
        },
      );
    default:
      return new ConnectorError(`${where}MySQL error from ${target}: ${reason}`, {
        hint: driver.code ? `driver code ${driver.code}` : undefined,
      });
  }
}
