/**
 * Runs one connector in a Deno Worker with only the permissions its manifest grants (net hosts,
 * env names; never read, write, run, ffi, sys or import) and talks to it over messages.ts.
 * Every wait has a deadline and process memory is watched, so a connector that hangs, throws,
 * floods memory or breaks the protocol is terminated with a SandboxError instead of taking
 * dvt down with it.
 *
 * @module
 */
import { SandboxError } from "../errors.ts";
import type { ConnectorConfig, Logger, ReadOptions } from "../protocol.ts";
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
}

/** Defaults; `DVT_SANDBOX_TIMEOUT_S` and `DVT_SANDBOX_MEMORY_MB` override the two budgets. */
export function defaultSandboxLimits(env = (name: string) => Deno.env.get(name)): SandboxLimits {
  const timeoutSeconds = Number(env("DVT_SANDBOX_TIMEOUT_S") ?? 300);
  const memoryMb = Number(env("DVT_SANDBOX_MEMORY_MB") ?? 2048);
  return {
    startupTimeoutMs: 30_000,
    callTimeoutMs: timeoutSeconds * 1000,
    memoryBudgetBytes: memoryMb * 2 ** 20,
    watchdogIntervalMs: 100,
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
  logger: Logger;
  limits?: Partial<SandboxLimits>;
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
    this.#worker = new Worker(WORKER_URL.href, {
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
      this.#fail(`crashed: ${event.message}`);
    };
    this.#worker.onmessageerror = () => this.#fail("sent a message that cannot be decoded");
    this.#watchdog = setInterval(() => this.#checkMemory(), this.#limits.watchdogIntervalMs);
  }

  /** Starts the worker, imports the connector and waits until it is built. */
  static async start(spec: SandboxSpec): Promise<{ host: SandboxHost; ready: SandboxReady }> {
    const host = new SandboxHost(spec);
    const reply = await host.#request(
      0,
      {
        kind: "init",
        name: spec.name,
        code: spec.code,
        moduleUrl: spec.moduleUrl,
        config: spec.config,
      },
      "start",
      host.#limits.startupTimeoutMs,
    );
    if (reply.kind !== "ready") {
      host.#fail(`answered start with a ${reply.kind} message`);
      throw host.#failure;
    }
    return { host, ready: { capabilities: reply.capabilities, methods: reply.methods } };
  }

  /** Calls a single-answer method and returns its value. */
  async call(method: CallMethod): Promise<unknown> {
    const reply = await this.#request(this.#nextId++, { kind: "call", id: 0, method }, method);
    if (reply.kind !== "result") {
      this.#fail(`answered ${method}() with a ${reply.kind} message`, { call: method });
    }
    return (reply as { value: unknown }).value;
  }

  /** Opens `read()`/`stream()` and yields each batch's IPC bytes, pulling one at a time. */
  async *open(
    method: StreamMethod,
    table: string,
    options?: ReadOptions,
  ): AsyncGenerator<Uint8Array> {
    const id = this.#nextId++;
    let finished = false;
    try {
      let reply = await this.#request(id, { kind: "open", id, method, table, options }, method);
      while (reply.kind === "batch") {
        yield reply.ipc;
        reply = await this.#request(id, { kind: "pull", id }, `${method}(${table})`);
      }
      if (reply.kind !== "end") {
        this.#fail(`answered ${method}() with a ${reply.kind} message`, {
          call: `${method}(${table})`,
        });
      }
      finished = true;
    } finally {
      if (!finished && !this.#failure) this.#worker.postMessage({ kind: "cancel", id });
    }
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
          this.#fail(`did not answer ${what} within ${Math.round(timeoutMs / 1000)} s`, {
            call: what,
          }),
        timeoutMs,
      );
      this.#pending.set(id, { resolve, reject, timer, what });
      this.#worker.postMessage(outgoing);
    });
  }

  #receive(data: unknown): void {
    const message = parseWorkerMessage(data);
    if (typeof message === "string") return this.#fail(`broke the message protocol: ${message}`);
    if (message.kind === "log") {
      const fields = { connector: this.#spec.name, ...message.fields };
      return this.#spec.logger[message.level](message.message, fields);
    }
    const id = message.kind === "ready" ? 0 : message.id;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (!pending) {
      if (message.kind === "error") return this.#fail(`failed: ${message.message}`);
      return this.#fail(`broke the message protocol: unexpected ${message.kind} message`);
    }
    clearTimeout(pending.timer);
    this.#pending.delete(id!);
    if (message.kind === "error") {
      const error = new SandboxError(
        `connector ${this.#spec.name} ${pending.what}: ${message.message}`,
        { connector: this.#spec.name, call: pending.what },
      );
      return pending.reject(error);
    }
    pending.resolve(message);
  }

  #checkMemory(): void {
    const grown = Deno.memoryUsage().rss - this.#baselineRss;
    if (grown <= this.#limits.memoryBudgetBytes) return;
    const budget = Math.round(this.#limits.memoryBudgetBytes / 2 ** 20);
    this.#fail(`used more than its memory budget of ${budget} MiB`, {
      hint: "raise DVT_SANDBOX_MEMORY_MB if the connector legitimately needs more",
    });
  }

  #fail(reason: string, { hint, call }: { hint?: string; call?: string } = {}): void {
    if (this.#failure) return;
    this.#failure = new SandboxError(`connector ${this.#spec.name} ${reason}; it was stopped`, {
      connector: this.#spec.name,
      call,
      hint: hint ?? "this is a defect in the connector; report it to its author",
    });
    this.terminate();
  }
}
