/**
 * Turns DuckDB's reader errors (multi-line, with sniffer settings) into one clear sentence
 * naming the file and line, plus a hint.
 *
 * @module
 */
import { InputError } from "../../mod.ts";
import type { FileTable } from "./file_sources.ts";

function firstLine(text: string): string {
  return text.split("\n").map((line) => line.trim()).find((line) => line) ?? text;
}

/** Maps a DuckDB error raised while reading `table` to an InputError, or returns it as is. */
export function explainReadError(error: unknown, table: FileTable): unknown {
  if (!(error instanceof Error)) return error;
  const message = error.message;
  const file = message.match(/^\s*file = (.+)$/m)?.[1]?.trim() ??
    message.match(/in file "([^"]+)"/)?.[1] ?? table.files.join(", ");
  const csvLine = message.match(/CSV Error on Line: (\d+)/);
  if (csvLine) {
    const body = message.split("\n").slice(1);
    const original = body.find((line) => line.startsWith("Original Line:"));
    const reason = body.find((line) =>
      line.trim() && !line.startsWith("Original Line:") && !line.startsWith("Possible fixes")
    );
    return new InputError(
      `malformed CSV row in ${file} at line ${csvLine[1]}: ${firstLine(reason ?? "")}${
        original ? ` (${original.trim()})` : ""
      }`,
      {
        location: { file, line: Number(csvLine[1]), field: table.field },
        hint: "fix the row in the file, or set delimiter/header in the connector config",
      },
    );
  }
  if (/Malformed JSON|JSON/i.test(message) && /Invalid Input Error/.test(message)) {
    // DuckDB's own words keep its line number ("in line N"; 1.5 counts one past the bad line).
    return new InputError(
      `malformed JSON in ${file}: ${firstLine(message.replace(/^Invalid Input Error: /, ""))}`,
      { location: { file, field: table.field }, hint: "fix the JSON in the file" },
    );
  }
  if (/^Not implemented Error: Duplicate name/.test(message)) {
    // DuckDB's struct field names are case-insensitive: {"x":1,"X":2} cannot become a STRUCT.
    const reason = firstLine(message).replace(/, try ignore_errors=true$/, "");
    return new InputError(`cannot read ${file}: ${reason}`, {
      location: { file, field: table.field },
      hint: "rename the keys that differ only in case, or fix the JSON",
    });
  }
  if (/No files found that match the pattern/.test(message)) {
    return new InputError(`file disappeared while reading: ${file}`, {
      location: { field: table.field },
      hint: "make sure the files stay in place during the extract",
    });
  }
  // An IO error about another file (the native scan's Parquet output, a spill file) is not the
  // input's fault: it stays a failure of the run.
  const aboutInput = !/IO Error/.test(message) || table.files.some((f) => message.includes(f));
  if (/Conversion Error|Invalid Input Error|IO Error/.test(message) && aboutInput) {
    return new InputError(`cannot read ${file}: ${firstLine(message)}`, {
      location: { field: table.field },
      hint: "check the file's contents and type",
    });
  }
  return error;
}
