/**
 * Worker entry of {@linkcode FoldThread}: loads its own instance of the source's connector, and
 * per fold reads the micro-batch's records back from the write-ahead log, hands them to the
 * connector (receive_batch.ts), sets aside what it refuses (refused_log.ts, once each), folds the
 * rows into the extract with {@linkcode foldEvents} (Parquet, compaction, catalog republish) and
 * answers with the rows appended and the refusals, or why it failed (the deliveries stay logged).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { instantiateConnector, resolveConnector } from "../connector/loader.ts";
import { errorMessage } from "../errors.ts";
import { OutputLayout } from "../extract/layout.ts";
import { LockHeldError } from "../extract/run_lock.ts";
import type { Connector } from "../protocol.ts";
import type { DuckDB } from "../parquet/duckdb.ts";
import { createLogger } from "../util/output.ts";
import { lowerThreadPriority } from "../util/thread_priority.ts";
import { openFoldEngine } from "./fold_engine.ts";
import { foldEvents, type TableBatches } from "./fold_events.ts";
import {
  FOLD_NICENESS,
  type FoldWorkerFold,
  type FoldWorkerOpen,
  type FoldWorkerReply,
  type RefusalNote,
} from "./fold_thread.ts";
import { type Receiver, receiveRecords, type Refusal } from "./receive_batch.ts";
import { recordRefusals } from "./refused_log.ts";
import { readLogged } from "./write_ahead_log.ts";

interface Opened {
  receiver: Receiver;
  destinations: Readonly<Record<string, string>>;
  connector: Connector;
  layout: OutputLayout;
}

let opened: Promise<Opened> | undefined;
/** Kept from one fold to the next (fold_engine.ts). */
let engine: Promise<DuckDB> | undefined;
/** Log positions of refusals already in refused.jsonl (a fold that waited is tried again). */
const refusalsRecorded = new Set<number>();

async function open(message: FoldWorkerOpen): Promise<Opened> {
  const { source } = message;
  const loaded = await resolveConnector(source.ref, { projectDir: source.projectDir });
  const connector = await instantiateConnector(loaded, source.config, {
    logger: createLogger(source.logging.mode, source.logging.level),
  });
  const tables = await connector.discover!();
  return {
    connector,
    layout: new OutputLayout(message.outDir),
    destinations: source.destinations,
    receiver: {
      connectorName: source.connectorName,
      connector,
      tables: new Map(tables.map((t) => [t.name, t])),
      streamTables: source.streamTables,
    },
  };
}

async function fold(message: FoldWorkerFold): Promise<FoldWorkerReply> {
  let recorded: RefusalNote[] = [];
  try {
    if (!opened) throw new Error("the fold worker was not opened");
    const { receiver, layout, destinations } = await opened;
    const received = await receiveRecords(receiver, await readLogged(message.segments));
    recorded = await setAside(message.refusedPath, received.refused);
    const rows = new Map<string, TableBatches>();
    for (const [table, batches] of received.rows) {
      rows.set(table, { info: receiver.tables.get(table)!, batches });
    }
    let appended: Record<string, number> = {};
    if (rows.size) {
      ({ rows: appended } = await foldEvents({
        engine: await (engine ??= openFoldEngine()),
        layout,
        connectorName: receiver.connectorName,
        tables: [...receiver.tables.values()],
        destinations,
        rows,
        seq: message.seq,
        lockWaitMs: message.lockWaitMs,
      }));
    }
    for (const { record } of received.refused) refusalsRecorded.delete(record.seq);
    return { kind: "folded", rows: appended, refused: received.refused.map(note), recorded };
  } catch (error) {
    // The engine is kept through failures (a catalog build rolls back and detaches; a merge is
    // one statement): starting DuckDB while the process is out of file descriptors aborts the
    // process (a DuckDB internal error), and a connection flood is when folds fail for that
    // reason. Only an engine DuckDB itself declared unusable is replaced.
    if (/database has been invalidated|FATAL Error/i.test(errorMessage(error))) {
      await closeEngine();
    }
    return {
      kind: "failed",
      message: errorMessage(error),
      lockHeld: error instanceof LockHeldError,
      recorded,
    };
  }
}

/** Sets refused deliveries aside, once each; returns those set aside now. */
async function setAside(path: string, refused: readonly Refusal[]): Promise<RefusalNote[]> {
  const fresh = refused.filter(({ record }) => !refusalsRecorded.has(record.seq));
  if (!fresh.length) return [];
  await recordRefusals(path, fresh);
  for (const { record } of fresh) refusalsRecorded.add(record.seq);
  return fresh.map(note);
}

async function closeEngine(): Promise<void> {
  const closing = engine;
  engine = undefined;
  (await closing?.catch(() => undefined))?.close();
}

function note({ record, error }: Refusal): RefusalNote {
  return { seq: record.seq, id: record.id, message: errorMessage(error) };
}

async function handle(message: FoldWorkerOpen | FoldWorkerFold | { kind: "close" }) {
  if (message.kind === "open") {
    lowerThreadPriority(FOLD_NICENESS);
    // Started now, while descriptors are surely free (see the failure handling in fold()).
    engine = openFoldEngine();
    engine.catch(() => (engine = undefined));
    opened = open(message);
    // A connector that fails to load fails each fold with its reason, not the worker.
    opened.catch(() => {});
    return;
  }
  if (message.kind === "fold") return self.postMessage(await fold(message));
  await closeEngine();
  await (await opened?.catch(() => undefined))?.connector.close?.();
  self.postMessage({ kind: "closed" } satisfies FoldWorkerReply);
}

let chain: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent) => {
  chain = chain.then(() => handle(event.data)).catch((error) => {
    self.postMessage(
      {
        kind: "failed",
        message: errorMessage(error),
        lockHeld: false,
        recorded: [],
      } satisfies FoldWorkerReply,
    );
  });
};
