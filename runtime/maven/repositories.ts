/**
 * Maven repositories dvt downloads from: Maven Central by default, mirrors and private
 * repositories from dvt.yaml `sync.repositories`, or `DVT_MAVEN_REPOS` (comma-separated URLs,
 * which override the file's list). Credentials come only from environment variables named in
 * dvt.yaml; they are never logged and never written to the lockfile.
 *
 * @module
 */
import { ConfigError, type SourceLocation } from "../errors.ts";

/** Maven Central, the default repository. */
export const MAVEN_CENTRAL = "https://repo1.maven.org/maven2/";

/** Names of the environment variables holding a repository's credentials. */
export interface RepositoryCredentialsEnv {
  usernameEnv?: string;
  passwordEnv?: string;
  tokenEnv?: string;
}

/** One repository as configured: base URL (always ending in `/`) plus credential env names. */
export interface RepositoryConfig extends RepositoryCredentialsEnv {
  url: string;
}

/** A repository ready to use: the URL to show and record, and the headers to send. */
export interface Repository {
  /** Base URL ending in `/`, without credentials: safe to log and to write to dvt.lock. */
  url: string;
  /** Request headers (Authorization when credentials are configured). Never logged. */
  headers: Record<string, string>;
}

/** Normalises a repository URL: http(s) only, no embedded credentials, trailing slash. */
export function normaliseRepositoryUrl(text: string, location?: SourceLocation): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigError(`invalid repository URL "${text}"`, {
      location,
      hint: "write a full http(s) URL such as https://repo1.maven.org/maven2/",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`repository URL "${text}" is not http(s)`, {
      location,
      hint: "use an https:// (or, for a local mirror, http://) URL",
    });
  }
  if (url.username || url.password) {
    throw new ConfigError(`repository URL "${url.host}" embeds credentials`, {
      location,
      hint: "remove them from the URL and set username_env/password_env or token_env instead",
    });
  }
  url.search = "";
  url.hash = "";
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

/**
 * Picks the repositories in effect: `DVT_MAVEN_REPOS` when set (keeping the credentials of a
 * configured repository with the same URL), else the configured list, else Maven Central.
 */
export function effectiveRepositories(
  configured: readonly RepositoryConfig[],
  envValue: string | undefined,
): RepositoryConfig[] {
  const fromEnv = (envValue ?? "").split(",").map((item) => item.trim()).filter((item) => item);
  if (fromEnv.length) {
    return fromEnv.map((text) => {
      const url = normaliseRepositoryUrl(text, { field: "DVT_MAVEN_REPOS" });
      return configured.find((repo) => repo.url === url) ?? { url };
    });
  }
  return configured.length ? [...configured] : [{ url: MAVEN_CENTRAL }];
}

/**
 * Reads the credentials of each repository from the environment and builds its headers.
 * A named variable that is unset is a configuration error naming the variable (not its value).
 */
export function connectRepositories(
  configs: readonly RepositoryConfig[],
  readEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Repository[] {
  return configs.map((config) => ({ url: config.url, headers: authHeaders(config, readEnv) }));
}

function authHeaders(
  config: RepositoryConfig,
  readEnv: (name: string) => string | undefined,
): Record<string, string> {
  const required = (name: string): string => {
    const value = readEnv(name);
    if (value === undefined || value === "") {
      throw new ConfigError(
        `environment variable ${name} (credentials for ${config.url}) is not set`,
        { hint: `export ${name} before running dvt sync, or remove it from sync.repositories` },
      );
    }
    return value;
  };
  if (config.tokenEnv) return { authorization: `Bearer ${required(config.tokenEnv)}` };
  if (config.usernameEnv || config.passwordEnv) {
    const user = config.usernameEnv ? required(config.usernameEnv) : "";
    const password = config.passwordEnv ? required(config.passwordEnv) : "";
    return { authorization: `Basic ${btoa(`${user}:${password}`)}` };
  }
  return {};
}
