/** The dvt version, taken from deno.json so there is one place to bump it. */
import denoJson from "../deno.json" with { type: "json" };

/** dvt's semantic version. */
export const VERSION: string = denoJson.version;
