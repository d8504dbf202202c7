/**
 * Runs one connector in a Deno Worker with only the permissions its manifest grants (net hosts,
 * env names; never read, write, run, ffi, sys or import) and talks to it over messages.ts.
 * Every wait has a deadline and process memory is watched, so a connector that hangs, throws,
 * floods memory or breaks the protocol is terminated with a SandboxError instead of taking
 * dvt down with it.
 *
 * @module
 */
import { InputError, SandboxError } from "../errors.ts";
import type { ConnectorConfig, Logger, ReadOptions, WebhookEvent } from "../protocol.ts";
import { settings } from "../util/env_settings.ts";
import { cleanUntrustedText } from "../util/untrusted_text.ts";
import type { WireBatch } from "./arrow_ipc.ts";
import { confineModule } from "./confine_module.ts";
import { explainDenials } from "./denials.ts";
import {
  type CallMethod,
  type HostMessage,
  parseWorkerMessage,
  type StreamMethod,
  type WorkerMessage,
} from "./messages.ts";

/** What a sandboxed connector may do, from its manifest's `permissions`. */
export interface SandboxPermissions {
  /** Hosts (optionally host:port) it may connect to. */
  net: string[];
  /** Environment variable names it may read. */
  env: string[];
}

/** Deadlines and budgets enforced on a sandboxed connector. */
export interface SandboxLimits {
  /** Time to import the module and build the connector. */
  startupTimeoutMs: number;
  /** Time for any single answer: a call's result or the next batch. */
  callTimeoutMs: number;
  /** Growth of the process's resident memory, above its size at start, that stops it. */
  memoryBudgetBytes: number;
  /** How often memory is checked. */
  watchdogIntervalMs: number;
  /** Rows one read() or stream() may yield before it is stopped. */
  maxRows: number;
}

/**
 * Defaults from the environment (env_settings.ts): `DVT_SANDBOX_TIMEOUT_S`,
 * `DVT_SANDBOX_MEMORY_MB` and `DVT_SANDBOX_MAX_ROWS`.
 */
export function defaultSandboxLimits(): SandboxLimits {
  const { sandboxTimeoutSeconds, sandboxMemoryMb, sandboxMaxRows } = settings();
  return {
    startupTimeoutMs: 30_000,
    callTimeoutMs: sandboxTimeoutSeconds * 1000,
    memoryBudgetBytes: sandboxMemoryMb * 2 ** 20,
    // Often (a connector can touch hundreds of MiB in a tenth of a second), yet cheap: one
    // memoryUsage() costs ~0.1 ms, 0.5% of dvt's main thread at this rate.
    watchdogIntervalMs: 20,
    maxRows: sandboxMaxRows,
  };
}

/** Everything needed to start a sandboxed connector. */
export interface SandboxSpec {
  /** Connector name, used in messages and log lines. */
  name: string;
  /** The module's source text (already integrity-checked). */
  code: string;
  /** Where the code came from; its extension picks JavaScript or TypeScript. */
  moduleUrl: string;
  config: ConnectorConfig;
  permissions: SandboxPermissions;
  /**
   * Receives the connector's log lines as sent; pass a connector logger (connector/context.ts),
   * which tags, escapes and redacts them.
   */
  logger: Logger;
  /** Values redacted from every error the connector produces (its granted env vars' values). */
  secrets?: readonly string[];
  limits?: Partial<SandboxLimits>;
  /** The worker script; only tests of the host's own checks replace worker_main.ts. */
  workerUrl?: URL;
  /**
   * Called when a stopped connector goes on growing memory (Deno could not stop it); the
   * default prints the error and exits the process with code 1.
   */
  onRunaway?: (error: SandboxError) => void;
}

/** What the worker reported once the connector was built. */
export interface SandboxReady {
  capabilities: number;
  methods: string[];
}

interface Pending {
  resolve: (message: WorkerMessage) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  what: string;
}

const WORKER_URL = new URL("./worker_main.ts", import.meta.url);

/** How long memory is still watched after a connector was stopped. */
const RUNAWAY_WATCH_MS = 60_000;

/** The last resort for a connector Deno cannot stop: say why, then end the process. */
function exitOnRunaway(error: SandboxError): never {
  const lines = [`error: ${error.message}`, ...error.hint ? [`  hint: ${error.hint}`] : []];
  Deno.stderr.writeSync(new TextEncoder().encode(`${lines.join("\n")}\n`));
  Deno.exit(1);
}

/** A running sandbox. Create with {@linkcode SandboxHost.start}; always `terminate()`. */
export class SandboxHost {
  readonly #spec: SandboxSpec;
  readonly #limits: SandboxLimits;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #watchdog: ReturnType<typeof setInterval>;
  readonly #baselineRss = Deno.memoryUsage().rss;
  #nextId = 1;
  #failure?: SandboxError;

  private constructor(spec: SandboxSpec) {
    this.#spec = spec;
    this.#limits = { ...defaultSandboxLimits(), ...spec.limits };
    const { net, env } = spec.permissions;
    this.#worker = new Worker((spec.workerUrl ?? WORKER_URL).href, {
      type: "module",
      name: `dvt-connector-${spec.name}`,
      deno: {
        permissions: {
          net: net.length ? net : false,
          env: env.length ? env : false,
          read: false,
          write: false,
          run: false,
          ffi: false,
          sys: false,
          import: false,
        },
      },
    });
    this.#worker.onmessage = (event) => this.#receive(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(`crashed: ${this.#clean(event.message)}`);
    };
    this.#worker.onmessageerror = () => this.#fail("sent a message that cannot be decoded");
    this.#watchdog = setInterval(() => this.#checkMemory(), this.#limits.watchdogIntervalMs);
  }

  /**
   * Confines the module (confine_module.ts: no imports), starts the worker, imports the
   * connector and waits until it is built.
   */
  static async start(spec: SandboxSpec): Promise<{ host: SandboxHost; ready: SandboxReady }> {
    const code = await confineModule(spec.name, spec.code, spec.moduleUrl);
    const host = new SandboxHost(spec);
    const reply = await host.#request(
      0,
      {
        kind: "init",
        name: spec.name,
        code,
        moduleUrl: spec.moduleUrl,
        config: spec.config,
      },
      "start",
      host.#limits.startupTimeoutMs,
    );
    if (reply.kind !== "ready") throw host.#fail(`answered start with a ${reply.kind} message`);
    return { host, ready: { capabilities: reply.capabilities, methods: reply.methods } };
  }

  /** Calls a single-answer method and returns its value. */
  async call(method: CallMethod): Promise<unknown> {
    const reply = await this.#request(this.#nextId++, { kind: "call", id: 0, method }, method);
    if (reply.kind !== "result") {
      throw this.#fail(`answered ${method}() with a ${reply.kind} message`, { call: method });
    }
    return reply.value;
  }

  /**
   * Hands one webhook event to `receive()` and returns what it answered (checked by the
   * caller). An error the connector names InputError rejects the event: an InputError here.
   */
  async receive(event: WebhookEvent): Promise<unknown> {
    const id = this.#nextId++;
    const reply = await this.#request(id, { kind: "receive", id, event }, "receive");
    if (reply.kind !== "result") {
      throw this.#fail(`answered receive() with a ${reply.kind} message`, { call: "receive" });
    }
    return reply.value;
  }

  /** Opens `read()`/`stream()` and yields each batch as sent, one batch requested ahead. */
  async *open(
    method: StreamMethod,
    table: string,
    options?: ReadOptions,
  ): AsyncGenerator<WireBatch> {
    const id = this.#nextId++;
    let finished = false;
    try {
      let reply = await this.#request(id, { kind: "open", id, method, table, options }, method);
      while (reply.kind === "batch") {
        this.#checkMemory();
        if (this.#failure) throw this.#failure;
        // Ask for the next batch before handing this one on: the connector builds it while
        // dvt writes this one (one batch in flight, so memory stays bounded).
        const next = this.#request(id, { kind: "pull", id }, `${method}(${table})`);
        next.catch(() => {}); // seen below, or moot when the reader stops early
        yield reply.flat ? { flat: reply.flat } : { ipc: reply.ipc! };
        reply = await next;
      }
      // Anything but `end` (a `result`, say) is a broken protocol, never the end of the data.
      if (reply.kind !== "end") {
        throw this.#fail(`answered ${method}(${table}) with a ${reply.kind} message`, {
          call: `${method}(${table})`,
        });
      }
      finished = true;
    } finally {
      if (!finished && !this.#failure) this.#worker.postMessage({ kind: "cancel", id });
    }
  }

  /** The limits in force. */
  get limits(): Readonly<SandboxLimits> {
    return this.#limits;
  }

  /** Stops the connector for `reason` (once) and returns the error every later call gets. */
  stop(reason: string, options: { hint?: string; call?: string } = {}): SandboxError {
    return this.#fail(reason, options);
  }

  /** Stops the worker and the watchdog; pending requests fail. Safe to call twice. */
  terminate(): void {
    clearInterval(this.#watchdog);
    this.#worker.terminate();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      const closed = new SandboxError(`connector ${this.#spec.name} was closed`, {
        connector: this.#spec.name,
        call: pending.what,
      });
      pending.reject(this.#failure ?? closed);
    }
    this.#pending.clear();
  }

  #request(
    id: number,
    message: HostMessage,
    what: string,
    timeoutMs = this.#limits.callTimeoutMs,
  ): Promise<WorkerMessage> {
    if (this.#failure) return Promise.reject(this.#failure);
    const outgoing = "id" in message ? { ...message, id } : message;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.#fail(
            `did not answer ${what} within ${Math.round(timeoutMs / 1000)} s${
              what === "start" ? "" : " (DVT_SANDBOX_TIMEOUT_S)"
            }`,
            { call: what },
          ),
        timeoutMs,
      );
      this.#pending.set(id, { resolve, reject, timer, what });
      this.#worker.postMessage(outgoing);
    });
  }

  #receive(data: unknown): void {
    const message = parseWorkerMessage(data);
    if (typeof message === "string") {
      return void this.#fail(`broke the message protocol: ${this.#clean(message)}`);
    }
    if (message.kind === "log") {
      return this.#spec.logger[message.level](message.message, message.fields);
    }
    const id = message.kind === "ready" ? 0 : message.id;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (!pending) {
      if (message.kind === "error") {
        return void this.#fail(`failed: ${this.#clean(message.message)}`);
      }
      return void this.#fail(`broke the message protocol: unexpected ${message.kind} message`);
    }
    clearTimeout(pending.timer);
    this.#pending.delete(id!);
    const hint = message.kind === "error" && message.hint !== undefined
      ? this.#clean(message.hint)
      : undefined;
    if (message.kind === "error" && message.input) {
      return pending.reject(
        new InputError(this.#clean(message.message.replace(/^InputError: /, "")), { hint }),
      );
    }
    if (message.kind === "error") {
      const error = new SandboxError(
        `connector ${this.#spec.name} ${pending.what}: ${this.#clean(message.message)}`,
        { connector: this.#spec.name, call: pending.what, hint },
      );
      return pending.reject(error);
    }
    pending.resolve(message);
  }

  /** A connector's text made printable: denials explained, secrets redacted, controls escaped. */
  #clean(text: string): string {
    return cleanUntrustedText(explainDenials(this.#spec.name, text), this.#spec.secrets ?? []);
  }

  #checkMemory(): void {
    const grown = Deno.memoryUsage().rss - this.#baselineRss;
    if (grown <= this.#limits.memoryBudgetBytes) return;
    const budget = Math.round(this.#limits.memoryBudgetBytes / 2 ** 20);
    this.#fail(`used more than its memory budget of ${budget} MiB (DVT_SANDBOX_MEMORY_MB)`, {
      hint: "raise DVT_SANDBOX_MEMORY_MB if the connector legitimately needs more",
    });
  }

  #fail(reason: string, { hint, call }: { hint?: string; call?: string } = {}): SandboxError {
    if (this.#failure) return this.#failure;
    this.#failure = new SandboxError(`connector ${this.#spec.name} ${reason}; it was stopped`, {
      connector: this.#spec.name,
      call,
      hint: hint ?? "this is a defect in the connector; report it to its author",
    });
    this.terminate();
    this.#guardAgainstRunaway(this.#failure);
    return this.#failure;
  }

  /**
   * Deno's `worker.terminate()` does not stop a worker busy in a JavaScript loop (denoland/deno
   * #35657): a stopped connector can go on allocating. For a while after a failure, memory is
   * still watched; past twice the budget the connector is a runaway that only ending the process
   * can stop — published tables are untouched, the run fails.
   */
  #guardAgainstRunaway(failure: SandboxError): void {
    const startedAt = Date.now();
    const guard = setInterval(() => {
      const grown = Deno.memoryUsage().rss - this.#baselineRss;
      if (grown > 2 * this.#limits.memoryBudgetBytes) {
        clearInterval(guard);
        const runaway = new SandboxError(
          `connector ${this.#spec.name} kept using memory after it was stopped (${failure.message})`,
          {
            connector: this.#spec.name,
            hint: "dvt exits to protect the machine; tables already published keep their data",
          },
        );
        (this.#spec.onRunaway ?? exitOnRunaway)(runaway);
      } else if (Date.now() - startedAt > RUNAWAY_WATCH_MS) {
        clearInterval(guard);
      }
    }, this.#limits.watchdogIntervalMs);
    // The guard never keeps dvt alive by itself.
    Deno.unrefTimer(guard);
  }
}
