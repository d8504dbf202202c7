/**
 * Plain-text tables and CSV for terminal output: columns aligned by display width, numbers
 * right-aligned, NULL shown as such; CSV quoted as RFC 4180 says.
 *
 * @module
 */

/** How one column is laid out. */
export interface TextColumn {
  name: string;
  /** Right-align (numbers). */
  right?: boolean;
}

/** Text shown for SQL NULL in an aligned table. */
export const NULL_TEXT = "NULL";

/** Characters a terminal shows per code point, ignoring combining marks; close enough here. */
function displayWidth(text: string): number {
  return [...text.normalize("NFC")].length;
}

function pad(text: string, width: number, right: boolean): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

/** Line breaks and tabs would break the alignment; show them escaped. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, "\\n").replace(/\t/g, "\\t");
}

/**
 * Formats rows as aligned lines: a header, a rule of dashes, then one line per row.
 *
 * @example
 * ```ts
 * import { formatTextTable } from "./text_table.ts";
 * const lines = formatTextTable([{ name: "id", right: true }, { name: "name" }], [["1", "ann"]]);
 * if (lines.join("\n") !== "id  name\n--  ----\n 1  ann") throw new Error(lines.join("\n"));
 * ```
 */
export function formatTextTable(columns: TextColumn[], rows: (string | null)[][]): string[] {
  const cells = rows.map((row) => row.map((cell) => cell === null ? NULL_TEXT : oneLine(cell)));
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.name), ...cells.map((row) => displayWidth(row[i])))
  );
  const line = (row: string[], header = false) =>
    row.map((cell, i) => pad(cell, widths[i], !header && columns[i].right === true))
      .join("  ").trimEnd();
  return [
    line(columns.map((column) => column.name), true),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...cells.map((row) => line(row)),
  ];
}

/**
 * Formats one CSV record: fields with a comma, quote or line break are quoted, quotes doubled;
 * NULL is an empty field.
 *
 * @example
 * ```ts
 * import { csvLine } from "./text_table.ts";
 * if (csvLine(["a,b", 'say "hi"', null]) !== '"a,b","say ""hi""",') throw new Error();
 * ```
 */
export function csvLine(fields: (string | null)[]): string {
  return fields.map((field) => {
    if (field === null) return "";
    return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
  }).join(",");
}
