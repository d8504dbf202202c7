/**
 * Refuses what DuckDB's CSV sniffer makes of files it cannot really read: an empty file becomes
 * a table with an invented `column0`, and a file whose rows do not split consistently (a ragged
 * row, a wrong `delimiter`) becomes one text column named after the whole header line. Both
 * would replace a good table with a mangled one, so they are bad input naming the file.
 *
 * @module
 */
import { InputError } from "../../mod.ts";
import type { FileTable } from "./file_sources.ts";

/** Files up to this size are read to tell whitespace-only files from ones with content. */
const SMALL_FILE_BYTES = 4096;
const COMPRESSED = /\.(gz|zst)$/i;
const DELIMITER_LIKE = /[,;\t|]/;

async function isEmpty(file: string): Promise<boolean> {
  const { size } = await Deno.stat(file);
  if (size === 0) return true;
  if (size > SMALL_FILE_BYTES || COMPRESSED.test(file)) return false;
  return (await Deno.readTextFile(file)).trim() === "";
}

/** Throws an InputError naming the first empty file of `table`, unless empty files are allowed. */
export async function refuseEmptyFiles(table: FileTable, allowEmpty: boolean): Promise<void> {
  if (allowEmpty) return;
  for (const file of table.files) {
    if (!(await isEmpty(file))) continue;
    throw new InputError("the file is empty: there are no columns or rows to publish", {
      location: { file, field: table.field },
      hint: "add the data, remove the file, or set allow_empty: true to publish an empty table",
    });
  }
}

/**
 * Throws when a CSV/TSV table came out as one column whose name contains a delimiter: the
 * sniffer gave up on splitting the header, so every row would be one text value.
 */
export function refuseCollapsedHeader(
  table: FileTable,
  columns: string[],
  delimiter: string | undefined,
): void {
  if (table.format !== "csv" && table.format !== "tsv") return;
  if (columns.length !== 1 || !DELIMITER_LIKE.test(columns[0])) return;
  const file = table.files.length === 1 ? table.files[0] : table.pattern;
  const cause = delimiter === undefined
    ? "its rows do not all have the same number of fields (a row with a missing or extra field?)"
    : `the delimiter ${JSON.stringify(delimiter)} does not split its header`;
  throw new InputError(
    `the file would be read as one column named ${JSON.stringify(columns[0])}: ${cause}`,
    {
      location: { file, field: table.field },
      hint: delimiter === undefined
        ? "fix the ragged rows, or set delimiter (and header) in the connector config"
        : "set delimiter to the character that separates the fields, or leave it unset to sniff it",
    },
  );
}
