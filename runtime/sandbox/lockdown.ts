/**
 * Hardens the sandbox worker's global scope before the connector's code is imported. Deno's
 * permissions already deny files, processes, native code, imports and ungranted hosts and env
 * vars; what they leave open is closed here: dvt's stdio, signals to dvt's own process, the
 * Cache API (which writes to disk), facts about the host (working directory, arguments,
 * executable, worker location, dvt's file paths in stack traces), permission requests (which
 * could prompt on a terminal), nested workers, the worker's own message port (so a connector
 * cannot forge protocol messages) and `import` in code made from strings (eval, the Function
 * constructors: confine_module.ts keeps it out of the module text).
 *
 * Runs once, in the worker only. Everything it replaces throws a clear error naming what a
 * connector may use instead.
 *
 * @module
 */
/// <reference lib="deno.worker" />
/** Where the connector's console output goes instead of dvt's stdout/stderr. */
export type ConsoleSink = (level: "debug" | "info" | "warn" | "error", message: string) => void;

/** The worker's own channel to the host, captured before the connector can touch it. */
export interface HostChannel {
  post(message: unknown, transfer?: Transferable[]): void;
}

function unavailable(what: string, instead: string): () => never {
  return () => {
    throw new Error(`${what} is not available to a sandboxed connector; ${instead}`);
  };
}

function pin(target: object, key: PropertyKey, descriptor: PropertyDescriptor): void {
  Object.defineProperty(target, key, { ...descriptor, configurable: false });
}

/** Removes `key` from `target` and every object on its prototype chain, then pins `value`. */
function replaceEverywhere(target: object, key: PropertyKey, value: unknown): void {
  for (let owner = Object.getPrototypeOf(target); owner; owner = Object.getPrototypeOf(owner)) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, key);
    if (descriptor?.configurable) delete (owner as Record<PropertyKey, unknown>)[key];
    else if (descriptor) Object.defineProperty(owner, key, { value, writable: false });
  }
  delete (target as Record<PropertyKey, unknown>)[key];
  pin(target, key, { value, writable: false, enumerable: false });
}

const LEVELS: Record<string, "debug" | "info" | "warn" | "error"> = {
  debug: "debug",
  trace: "debug",
  warn: "warn",
  error: "error",
};

function sandboxConsole(sink: ConsoleSink, inspect: (value: unknown) => string): Console {
  const format = (args: unknown[]) =>
    args.map((arg) => typeof arg === "string" ? arg : inspect(arg)).join(" ");
  const target: Record<string, unknown> = {};
  for (const key of Object.keys(console)) {
    target[key] = (...args: unknown[]) => sink(LEVELS[key] ?? "info", format(args));
  }
  target.assert = (condition: unknown, ...args: unknown[]) => {
    if (!condition) sink("error", format(["Assertion failed", ...args]));
  };
  return Object.freeze(target) as unknown as Console;
}

const HIDDEN_DENO = {
  kill: "signals to dvt's process",
  addSignalListener: "signal handling",
  removeSignalListener: "signal handling",
  cwd: "dvt's working directory",
  chdir: "changing dvt's working directory",
  execPath: "dvt's executable path",
  exit: "exiting dvt",
  mainModule: "dvt's main module",
  pid: "dvt's process id",
  ppid: "dvt's parent process id",
  stdin: "dvt's stdin",
  stdout: "dvt's stdout (use ctx.log)",
  stderr: "dvt's stderr (use ctx.log)",
  openKv: "Deno KV (it writes to disk)",
} as const;

function restrictedDeno(): typeof Deno {
  const safe: Record<PropertyKey, unknown> = {};
  for (const key of Object.keys(Deno)) {
    if (key in HIDDEN_DENO) continue;
    safe[key] = (Deno as unknown as Record<string, unknown>)[key];
  }
  for (const [key, what] of Object.entries(HIDDEN_DENO)) {
    Object.defineProperty(safe, key, {
      get: unavailable(`Deno.${key} (${what})`, "use ctx.log, ctx.fetch and ctx.env"),
      enumerable: false,
    });
  }
  // No arguments: dvt's command line is not the connector's business.
  safe.args = Object.freeze([]);
  const permissions = Deno.permissions;
  safe.permissions = Object.freeze({
    query: permissions.query.bind(permissions),
    querySync: permissions.querySync.bind(permissions),
    // A request could prompt on a terminal; grants come only from connector.yaml.
    request: unavailable("Deno.permissions.request", "grants come from connector.yaml"),
    requestSync: unavailable("Deno.permissions.requestSync", "grants come from connector.yaml"),
    revoke: permissions.revoke.bind(permissions),
    revokeSync: permissions.revokeSync.bind(permissions),
  });
  return Object.freeze(safe) as unknown as typeof Deno;
}

async function restrictNodeProcess(): Promise<void> {
  const { default: process } = await import("node:process");
  const hide = (key: string, what: string) => {
    const descriptor = Object.getOwnPropertyDescriptor(process, key);
    if (descriptor && !descriptor.configurable) return;
    Object.defineProperty(process, key, {
      get: unavailable(`process.${key} (${what})`, "use ctx.log, ctx.fetch and ctx.env"),
      configurable: false,
    });
  };
  for (
    const [key, what] of Object.entries({
      kill: "signals",
      abort: "aborting dvt",
      exit: "exiting dvt",
      reallyExit: "exiting dvt",
      cwd: "dvt's working directory",
      chdir: "changing dvt's working directory",
      stdin: "dvt's stdin",
      stdout: "dvt's stdout",
      stderr: "dvt's stderr",
      _rawDebug: "dvt's stderr",
      binding: "internal bindings",
      dlopen: "native code",
    })
  ) hide(key, what);
  for (const key of ["argv", "execArgv"]) {
    Object.defineProperty(process, key, { value: Object.freeze([]), configurable: false });
  }
}

/**
 * Code made from strings could write `import(...)`, which confine_module.ts keeps out of the
 * module text. The keyword cannot be spelled with escapes, so a source that does not contain
 * the letters "import" cannot load a module; anything else still runs (Arrow's builders compile
 * their null checks with `new Function`).
 */
function refuseImportsIn(source: string, what: string): void {
  if (source.includes("import")) {
    throw new Error(
      `${what} of code that mentions "import" is not available to a sandboxed connector; a connector loads no modules`,
    );
  }
}

function guardEval(): void {
  const realEval = globalThis.eval as (source: unknown) => unknown;
  // An indirect call: the guarded code runs in the global scope, as `(0, eval)(source)` would.
  const guarded = (source: unknown) => {
    if (typeof source === "string") refuseImportsIn(source, "eval");
    return realEval(source);
  };
  pin(globalThis, "eval", { value: guarded, writable: false, enumerable: false });
}

/** Guards Function, AsyncFunction, GeneratorFunction and AsyncGeneratorFunction. */
function guardFunctionConstructors(): void {
  const samples = [function () {}, async function () {}, function* () {}, async function* () {}];
  for (const sample of samples) {
    const prototype = Object.getPrototypeOf(sample);
    const real = prototype.constructor as new (...args: string[]) => unknown;
    // Arguments become strings once, before the check: an object's toString could answer
    // differently the second time.
    const guarded = function (...args: unknown[]) {
      const strings = args.map(String);
      refuseImportsIn(strings.join("\n"), real.name);
      return Reflect.construct(real, strings);
    };
    // `x instanceof Function` keeps working.
    guarded.prototype = prototype;
    pin(prototype, "constructor", { value: guarded, writable: false, enumerable: false });
    if (real === Function) {
      pin(globalThis, "Function", { value: guarded, writable: false, enumerable: false });
    }
  }
}

/** The parts of V8's CallSite the formatter reads. */
interface CallSite {
  getFileName(): string | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getFunctionName(): string | null;
}

/** Stack frames of dvt's own modules show as `dvt`, the connector's as `connector`. */
function frameFile(file: string | null | undefined): string {
  if (!file) return "<anonymous>";
  return file.startsWith("data:") ? "connector" : "dvt";
}

/**
 * Stack traces name no file of dvt's (they would tell where dvt is installed), and a connector
 * cannot install a formatter of its own to read the frames.
 */
function hideDvtPaths(): void {
  const format = (error: unknown, frames: CallSite[]) => {
    let header: string;
    try {
      header = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    } catch {
      header = "Error";
    }
    const lines = frames.map((frame) => {
      const where = `${frameFile(frame.getFileName())}:${frame.getLineNumber() ?? 0}:${
        frame.getColumnNumber() ?? 0
      }`;
      const name = frame.getFunctionName();
      return `    at ${name ? `${name} (${where})` : where}`;
    });
    return [header, ...lines].join("\n");
  };
  pin(Error, "prepareStackTrace", { value: format, writable: false, enumerable: false });
}

/** Captures the worker's channel to the host; call before {@linkcode lockDown}. */
export function captureHostChannel(): HostChannel {
  const post = self.postMessage.bind(self);
  return { post: (message, transfer = []) => post(message, transfer) };
}

/**
 * Locks the worker down. `onMessage` becomes the worker's sole message handler; handle messages
 * only once the returned promise resolves, so no connector code runs in an open scope.
 */
export async function lockDown(
  sink: ConsoleSink,
  onMessage: (event: MessageEvent) => void,
): Promise<void> {
  const inspect = Deno.inspect.bind(Deno);
  self.onmessage = onMessage;
  pin(self, "onmessage", { value: onMessage, writable: false, enumerable: false });
  await restrictNodeProcess();
  replaceEverywhere(self, "postMessage", unavailable("postMessage", "yield batches from read()"));
  replaceEverywhere(self, "close", unavailable("close()", "return from read()"));
  replaceEverywhere(self, "location", undefined);
  replaceEverywhere(self, "Worker", unavailable("new Worker()", "a connector runs in one worker"));
  for (const name of ["caches", "CacheStorage", "Cache", "process"]) {
    replaceEverywhere(self, name, undefined);
  }
  guardEval();
  guardFunctionConstructors();
  hideDvtPaths();
  pin(self, "console", { value: sandboxConsole(sink, inspect), writable: false });
  pin(self, "Deno", { value: restrictedDeno(), writable: false });
}
