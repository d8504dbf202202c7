/**
 * One COPY read over an open session, the same on the main thread and in the reader thread
 * (reader_thread.ts): joins the shared snapshot of a parallel read, streams the binary COPY as
 * Arrow batches, and commits. Read failures become dvt errors naming the table.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { ConnectorError } from "../../mod.ts";
import { ColumnValueError, decodeBinaryCopy } from "./binary_copy.ts";
import type { ArrowModule } from "./column_builders.ts";
import { arrowField, type ColumnPlan } from "./column_types.ts";
import { explainError, isExplained, type Session } from "./connection.ts";
import { createDecoder } from "./field_decoders.ts";
import type { ConnectionSettings } from "./settings.ts";

/** What one reader reads: plain data, so it can be posted to the reader thread. */
export interface CopyRead {
  /** The table's dvt name, for error messages. */
  table: string;
  /** `COPY (SELECT ...) TO STDOUT (FORMAT binary)`. */
  statement: string;
  /** The selected columns, in the statement's order. */
  plans: ColumnPlan[];
  batchSize: number;
  /** A snapshot exported by the coordinator of a parallel read, imported before the COPY. */
  snapshot?: string;
}

/** The Arrow schema of the columns `plans` select. */
export function schemaOf(arrow: ArrowModule, plans: ColumnPlan[]): Arrow.Schema {
  return new arrow.Schema(plans.map((plan) => arrowField(arrow, plan)));
}

/** Streams `read` over `session` as batches; the caller owns (and ends) the session. */
export async function* readCopy(
  arrow: ArrowModule,
  session: Session,
  read: CopyRead,
): AsyncGenerator<Arrow.RecordBatch> {
  if (read.snapshot) {
    await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await session.query(`SET TRANSACTION SNAPSHOT '${read.snapshot.replaceAll("'", "''")}'`);
  }
  yield* decodeBinaryCopy(session.copyOut(read.statement), {
    arrow,
    schema: schemaOf(arrow, read.plans),
    decoders: read.plans.map((plan) => createDecoder(arrow, plan)),
    batchSize: read.batchSize,
  });
  if (read.snapshot) await session.query("COMMIT");
}

/** A read failure as a dvt error naming the table (and the column, for a value). */
export function explainReadError(error: unknown, table: string, settings: ConnectionSettings) {
  if (isExplained(error)) return error;
  if (error instanceof ColumnValueError) {
    // The data, not the configuration, is at fault: the table fails (exit 1), others land.
    return new ConnectorError(`table "${table}": ${error.message}`, {
      hint: `read the column through a view that casts it (e.g. to text or a wider numeric), ` +
        `or exclude it with a column list`,
    });
  }
  return explainError(error, settings, { table });
}
