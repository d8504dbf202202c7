/**
 * Resolves a connector reference (built-in name, `builtin:<name>`, a directory or connector.yaml
 * path, an https URL of a connector.yaml) to its manifest and factory, and instantiates it with
 * a context that grants only what the manifest declares. Built-ins run in-process; every other
 * connector runs in a permission sandbox worker (runtime/sandbox/): local ones bundled first,
 * remote ones only after their integrity is verified.
 *
 * @module
 */
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pathToFileURL as toFileUrl } from "node:url";
import { BUILTIN_CONNECTORS, builtinNames } from "./builtin_connectors.ts";
import { BUILTIN_MANIFESTS } from "./builtin_manifests.ts";
import { checkRequiredEnv } from "./config.ts";
import { createConnectorContext } from "./context.ts";
import { DownloadThread } from "./download_thread.ts";
import { ConnectorError, errorMessage, InputError, ManifestError } from "../errors.ts";
import { isDirectory, isFile } from "../util/path_kind.ts";
import {
  entrypointKind,
  grantedEnvNames,
  isRemoteUrl,
  loadManifest,
  type Manifest,
  shownManifestPath,
} from "./manifest.ts";
import {
  Cap,
  capsToNames,
  type Connector,
  type ConnectorConfig,
  type ConnectorFactory,
  type Logger,
} from "../protocol.ts";

/** A connector ready to instantiate. */
export interface LoadedConnector {
  manifest: Manifest;
  origin: "builtin" | "local" | "remote";
  /** Built-in name, connector.yaml path or URL — what to show users. */
  location: string;
  factory: ConnectorFactory;
}

/** Loads a built-in connector by name. */
export async function loadBuiltin(name: string): Promise<LoadedConnector> {
  const builtin = BUILTIN_CONNECTORS[name];
  if (!builtin) throw unknownConnector(`builtin:${name}`);
  const manifest = await builtinManifest(name, builtin.manifestUrl);
  const factory = async () => (await builtin.load()).default;
  return { manifest, origin: "builtin", location: `builtin:${name}`, factory: lazy(factory) };
}

/**
 * A built-in's manifest: precompiled from its connector.yaml (builtin_manifests.ts, checked
 * against the file by its test), so no YAML is parsed; read from the file only for a built-in
 * added since the module was last generated.
 */
async function builtinManifest(name: string, manifestUrl: URL): Promise<Manifest> {
  const compiled = BUILTIN_MANIFESTS[name];
  if (!compiled) return await loadManifest(manifestUrl.href);
  return { ...structuredClone(compiled), path: shownManifestPath(manifestUrl.href) };
}

function lazy(load: () => Promise<ConnectorFactory>): ConnectorFactory {
  return async (ctx, config) => (await load())(ctx, config);
}

function unknownConnector(ref: string): InputError {
  return new InputError(`unknown connector "${ref}"`, {
    hint: `built-in connectors: ${
      builtinNames().join(", ")
    }; or give a path to a directory with a connector.yaml, or an https URL of a connector.yaml`,
  });
}

/** Where a sandboxed connector's code comes from. */
interface ModuleCode {
  code: string;
  moduleUrl: string;
}

/**
 * A factory that runs the connector in a permission sandbox worker with only the manifest's
 * grants: its net hosts, and its env names plus the auth env vars it declares.
 */
function sandboxedFactory(
  manifest: Manifest,
  loadCode: () => Promise<ModuleCode>,
): ConnectorFactory {
  return async (ctx, config) => {
    const { code, moduleUrl } = await loadCode();
    const { startSandboxedConnector } = await import("../sandbox/sandboxed_connector.ts");
    const env = grantedEnvNames(manifest);
    return await startSandboxedConnector({
      name: manifest.name,
      code,
      moduleUrl,
      config,
      permissions: { net: manifest.permissions.net, env },
      logger: ctx.log,
      secrets: env.map((name) => Deno.env.get(name)).filter((value): value is string => !!value),
    });
  };
}

/** Remote code is fetched and checked against the manifest's integrity before it runs. */
function remoteCode(manifest: Manifest, entry: string): () => Promise<ModuleCode> {
  return async () => {
    const { loadModuleSource } = await import("../sandbox/module_source.ts");
    return { code: await loadModuleSource(new URL(entry), manifest.integrity), moduleUrl: entry };
  };
}

/** Local code is bundled into one module (relative imports inlined), as a published one is. */
function localCode(file: string, connectorDir: string): () => Promise<ModuleCode> {
  return async () => {
    const { bundleConnector } = await import("./bundle.ts");
    const bundle = await bundleConnector(file, connectorDir);
    return { code: bundle.code, moduleUrl: toFileUrl(file).href.replace(/\.[mc]?ts$/, ".js") };
  };
}

/** Resolves a local manifest's entrypoint, refusing paths that leave the connector directory. */
async function localEntrypoint(manifest: Manifest): Promise<string> {
  const dir = dirname(resolve(manifest.path));
  const file = resolve(dir, manifest.entrypoint);
  const realDir = await Deno.realPath(dir);
  const realFile = await Deno.realPath(file).catch(() => undefined);
  if (!realFile) {
    throw new ManifestError(`entrypoint ${manifest.entrypoint} not found (looked for ${file})`, {
      location: { file: manifest.path, field: "entrypoint" },
      hint: "entrypoint is relative to the directory of connector.yaml",
    });
  }
  const inside = relative(realDir, realFile);
  if (inside.startsWith("..") || isAbsolute(inside) || inside.split(sep)[0] === "..") {
    throw new ManifestError(`entrypoint ${manifest.entrypoint} leaves the connector directory`, {
      location: { file: manifest.path, field: "entrypoint" },
      hint: "keep the connector's module inside the directory of its connector.yaml",
    });
  }
  return realFile;
}

/** Loads a connector from a manifest already read (local path or URL). */
export async function loadFromManifest(manifest: Manifest): Promise<LoadedConnector> {
  const kind = entrypointKind(manifest);
  const origin = isRemoteUrl(manifest.path) ? "remote" : "local";
  if (kind === "builtin") {
    if (origin === "remote") {
      // A built-in runs outside the sandbox with the file system: never on a remote author's say.
      throw new ManifestError(
        `a remote connector.yaml may not name a built-in connector (${manifest.entrypoint})`,
        {
          location: { file: manifest.path, field: "entrypoint" },
          hint: `use the built-in directly (connector: ${
            manifest.entrypoint.slice("builtin:".length)
          }) with your own config, or point entrypoint at the remote module and its integrity`,
        },
      );
    }
    const name = manifest.entrypoint.slice("builtin:".length);
    const builtin = await loadBuiltin(name).catch(() => {
      throw new ManifestError(`entrypoint names an unknown built-in connector "${name}"`, {
        location: { file: manifest.path, field: "entrypoint" },
        hint: `built-in connectors: ${builtinNames().join(", ")}`,
      });
    });
    return { manifest, origin, location: manifest.path, factory: builtin.factory };
  }
  if (kind === "remote") {
    const entry = isRemoteUrl(manifest.entrypoint)
      ? manifest.entrypoint
      : new URL(manifest.entrypoint, manifest.path).href;
    return {
      manifest,
      origin: "remote",
      location: manifest.path,
      factory: sandboxedFactory(manifest, remoteCode(manifest, entry)),
    };
  }
  const file = await localEntrypoint(manifest);
  return {
    manifest,
    origin: "local",
    location: manifest.path,
    factory: sandboxedFactory(manifest, localCode(file, dirname(resolve(manifest.path)))),
  };
}

/** Finds the connector.yaml a path names: the file itself or `<dir>/connector.yaml`. */
async function manifestPathFor(path: string): Promise<string | undefined> {
  if (await isDirectory(path)) {
    const inside = join(path, "connector.yaml");
    return await isFile(inside) ? inside : undefined;
  }
  return /\.ya?ml$/.test(path) && await isFile(path) ? path : undefined;
}

/**
 * Resolves a connector reference: a built-in name, `builtin:<name>`, a path (relative to
 * `projectDir` or the working directory) to a directory with a connector.yaml or to the yaml
 * itself, a bare name of a project connector under `connectors/<name>/`, or an https URL of a
 * connector.yaml. Unknown references throw InputError listing the built-ins.
 */
export async function resolveConnector(
  ref: string,
  options: { projectDir?: string } = {},
): Promise<LoadedConnector> {
  if (ref.startsWith("builtin:")) return await loadBuiltin(ref.slice("builtin:".length));
  if (isRemoteUrl(ref)) return await loadFromManifest(await loadManifest(ref));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
    throw new InputError(`unsupported connector URL "${ref}"`, {
      hint: "connector URLs must use https (http only on 127.0.0.1/localhost)",
    });
  }
  const base = options.projectDir ?? Deno.cwd();
  const looksLikePath = ref.includes("/") || ref.includes(sep) || ref.startsWith(".") ||
    /\.ya?ml$/.test(ref);
  if (!looksLikePath && BUILTIN_CONNECTORS[ref]) return await loadBuiltin(ref);
  const candidates = looksLikePath
    ? [resolve(base, ref)]
    : [join(base, "connectors", ref), resolve(base, ref)];
  for (const candidate of candidates) {
    const manifestPath = await manifestPathFor(candidate);
    if (manifestPath) return await loadFromManifest(await loadManifest(manifestPath));
  }
  if (looksLikePath && await isDirectory(candidates[0])) {
    throw new InputError(`no connector.yaml in ${candidates[0]}`, {
      hint: "a connector directory needs a connector.yaml (scaffold one with `dvt connector new`)",
    });
  }
  throw unknownConnector(ref);
}

const METHOD_FOR_CAP: [number, keyof Connector][] = [
  [Cap.DISCOVER, "discover"],
  [Cap.READ, "read"],
  [Cap.STREAM, "stream"],
  [Cap.REMOTE, "remote"],
];

/** Checks a factory's result against the manifest; throws ConnectorError naming the defect. */
export function verifyConnector(connector: unknown, manifest: Manifest): Connector {
  const where = `connector ${manifest.name} (${manifest.path})`;
  if (typeof connector !== "object" || connector === null) {
    throw new ConnectorError(
      `${where}: the factory returned ${
        connector === null ? "null" : typeof connector
      }, not a connector object`,
      {
        hint: "the default export must return { capabilities, discover?, read?, ... }",
      },
    );
  }
  const candidate = connector as Connector;
  if (candidate.capabilities !== manifest.caps) {
    const found = typeof candidate.capabilities === "number"
      ? `${candidate.capabilities} (${capsToNames(candidate.capabilities).join(", ") || "none"})`
      : String(candidate.capabilities);
    throw new ConnectorError(
      `${where}: capabilities ${found} differ from the manifest's ${manifest.caps} (${
        manifest.capabilities.join(", ")
      })`,
      { hint: "make the connector's capabilities equal the capabilities listed in connector.yaml" },
    );
  }
  for (const [cap, method] of METHOD_FOR_CAP) {
    if ((manifest.caps & cap) && typeof candidate[method] !== "function") {
      throw new ConnectorError(`${where}: declares ${method} but has no ${method}() method`, {
        hint: `implement ${method}() or remove "${method}" from capabilities`,
      });
    }
  }
  return candidate;
}

/**
 * Checks required env vars, builds the context (env limited to the manifest's grants for
 * non-built-ins), calls the factory and verifies the connector against its manifest.
 */
export async function instantiateConnector(
  loaded: LoadedConnector,
  config: ConnectorConfig,
  options: { logger: Logger; env?: (name: string) => string | undefined },
): Promise<Connector> {
  const { manifest } = loaded;
  checkRequiredEnv(manifest, options.env);
  const granted = grantedEnvNames(manifest);
  let downloads: DownloadThread | undefined;
  const ctx = createConnectorContext({
    connector: manifest.name,
    logger: options.logger,
    allowedEnv: loaded.origin === "builtin" ? undefined : granted,
    readEnv: options.env,
    secretEnv: granted,
    download: (onRetry) => downloads = new DownloadThread({ onRetry }),
  });
  let connector: unknown;
  try {
    connector = await loaded.factory(ctx, config);
  } catch (cause) {
    downloads?.close();
    if (cause instanceof ConnectorError || cause instanceof InputError) throw cause;
    throw new ConnectorError(`connector ${manifest.name} failed to start: ${errorMessage(cause)}`, {
      cause,
    });
  }
  let verified: Connector;
  try {
    verified = verifyConnector(connector, manifest);
  } catch (error) {
    downloads?.close(); // the factory may have started it (ctx.expectDownloads)
    throw error;
  }
  return downloads ? closingDownloads(verified, downloads) : verified;
}

/**
 * The connector, whose close() also stops its download thread (a live worker would keep dvt
 * running). A proxy rather than an assignment: the factory's object may be frozen, and its
 * methods are called on the object itself, so class-private fields keep working. The proxy's
 * target is a stand-in inheriting from the connector: a proxy must return a frozen target's
 * own properties unchanged, which would forbid the bound methods and this close().
 */
function closingDownloads(connector: Connector, downloads: DownloadThread): Connector {
  const close = async () => {
    try {
      await connector.close?.();
    } finally {
      downloads.close();
    }
  };
  return new Proxy(Object.create(connector) as Connector, {
    get(_standIn, property) {
      if (property === "close") return close;
      const value = Reflect.get(connector, property, connector);
      return typeof value === "function" ? value.bind(connector) : value;
    },
  });
}
