/**
 * The JQL of a read: the configured projects and filter, bounded below by `updated` at the
 * incremental cursor. JQL compares dates to the minute in the time zone of the searching user
 * (their profile's `timeZone`), so the cursor is floored to its minute in that zone: the search
 * overlaps the previous run by up to a minute, and the caller drops rows it already wrote.
 *
 * @module
 */
import { InputError } from "../../mod.ts";

/** The lower bound used when there is no cursor: enhanced search refuses unbounded JQL. */
const EPOCH = "1970-01-01 00:00";

/** A JQL string literal. */
export function jqlString(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** `yyyy-MM-dd HH:mm` of an instant in an IANA time zone (the minute it falls in). */
export function jqlMinute(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(instant).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** Minutes the zone is ahead of UTC at `instant`. */
function offsetMinutes(instant: Date, timeZone: string): number {
  const [date, time] = jqlMinute(instant, timeZone).split(" ");
  const wall = Date.parse(`${date}T${time}:00Z`);
  return Math.round((wall - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The wall-clock minute to search from. Around a daylight-saving change a wall-clock minute can
 * name two instants and Jira may read the later one, so there the bound moves an hour earlier
 * (the rows re-read are dropped as already written).
 */
export function searchFrom(since: Date, timeZone: string): string {
  const hour = 3_600_000;
  const around = [-hour, hour].map((delta) =>
    offsetMinutes(new Date(since.getTime() + delta), timeZone)
  );
  const shifts = around.some((offset) => offset !== offsetMinutes(since, timeZone));
  return jqlMinute(shifts ? new Date(since.getTime() - hour) : since, timeZone);
}

/** What a read searches for. */
export interface JqlScope {
  projects?: string[];
  jql?: string;
}

/** Checks the configured filter once, so a mistake is reported before any request. */
export function checkScope(scope: JqlScope): void {
  if (scope.jql !== undefined && /\border\s+by\b/i.test(scope.jql)) {
    throw new InputError("the jql option must not contain ORDER BY", {
      hint: "the connector orders by updated itself; keep only the search condition",
    });
  }
  for (const key of scope.projects ?? []) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) {
      throw new InputError(`"${key}" in projects is not a Jira project key`, {
        hint: "project keys are letters, digits and underscores, e.g. PROJ",
      });
    }
  }
}

/** The search JQL: scope AND updated >= the cursor's minute (in `timeZone`), oldest first. */
export function searchJql(scope: JqlScope, since: Date | undefined, timeZone: string): string {
  const clauses: string[] = [];
  if (scope.projects?.length) {
    clauses.push(`project in (${scope.projects.map(jqlString).join(", ")})`);
  }
  if (scope.jql?.trim()) clauses.push(`(${scope.jql.trim()})`);
  clauses.push(`updated >= ${jqlString(since ? searchFrom(since, timeZone) : EPOCH)}`);
  return `${clauses.join(" AND ")} ORDER BY updated ASC, key ASC`;
}
