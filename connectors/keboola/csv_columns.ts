/**
 * An incremental RFC 4180 CSV parser that fills columns of text: feed it text chunks as they
 * arrive, take full batches as they complete. A record cut between chunks waits for the next
 * chunk; a slice that ends inside a quoted field, or a record with the wrong number of fields,
 * is an error naming the slice and the line (never a silently shortened table).
 *
 * @module
 */
import { ConnectorError } from "../../mod.ts";

/** Parses one slice's CSV text into `width` columns. */
export class CsvColumns {
  readonly width: number;
  #source: string;
  #pending = "";
  #line = 1;
  #columns: string[][];

  constructor(width: number, source: string) {
    this.width = width;
    this.#source = source;
    this.#columns = Array.from({ length: width }, () => []);
  }

  /** Rows parsed and not yet taken. */
  get rows(): number {
    return this.#columns[0]?.length ?? 0;
  }

  /** Parses the complete records of `chunk` (plus what was left from the previous one). */
  push(chunk: string): void {
    const text = this.#pending + chunk;
    this.#pending = text.slice(this.#parse(text, false));
  }

  /** Parses what is left at the end of the slice. */
  finish(): void {
    const text = this.#pending;
    this.#pending = "";
    if (text.length) this.#parse(text, true);
  }

  /** Removes and returns the collected columns. */
  take(): string[][] {
    const taken = this.#columns;
    this.#columns = Array.from({ length: this.width }, () => []);
    return taken;
  }

  #error(message: string): ConnectorError {
    return new ConnectorError(`${this.#source}, line ${this.#line}: ${message}`, {
      hint: "the export is malformed or was cut short; run the extract again",
    });
  }

  /** Parses records from `text`; returns where the first incomplete record starts. */
  #parse(text: string, atEnd: boolean): number {
    const length = text.length;
    let position = 0;
    const fields: string[] = [];
    while (position < length) {
      const recordStart = position;
      const lineAtStart = this.#line;
      fields.length = 0;
      let complete = false;
      while (true) {
        let value: string;
        if (text.charCodeAt(position) === 34 /* " */) {
          let end = position + 1;
          let parts = "";
          while (true) {
            const quote = text.indexOf('"', end);
            if (quote < 0) {
              end = -1;
              break;
            }
            if (text.charCodeAt(quote + 1) === 34) {
              parts += text.slice(end, quote + 1);
              end = quote + 2;
              continue;
            }
            if (quote + 1 >= length && !atEnd) {
              end = -1; // The closing quote may be an escaped one continued in the next chunk.
              break;
            }
            value = parts + text.slice(end, quote);
            end = quote + 1;
            break;
          }
          if (end < 0) {
            if (atEnd) throw this.#error("the slice ends inside a quoted field");
            this.#line = lineAtStart;
            return recordStart;
          }
          for (
            let i = text.indexOf("\n", position);
            i >= 0 && i < end;
            i = text.indexOf("\n", i + 1)
          ) {
            this.#line++;
          }
          position = end;
        } else {
          let end = position;
          while (end < length) {
            const code = text.charCodeAt(end);
            if (code === 44 || code === 10 || code === 13) break;
            end++;
          }
          value = text.slice(position, end);
          position = end;
        }
        fields.push(value!);
        const next = text.charCodeAt(position);
        if (next === 44 /* , */) {
          position++;
          continue;
        }
        if (position >= length) {
          complete = atEnd;
          break;
        }
        if (next === 13 && position + 1 >= length && !atEnd) break; // "\r" of a split "\r\n"
        if (next === 13 && text.charCodeAt(position + 1) === 10) position += 2;
        else if (next === 10 || next === 13) position++;
        else throw this.#error(`unexpected character after a quoted field`);
        complete = true;
        this.#line++;
        break;
      }
      if (!complete) {
        this.#line = lineAtStart;
        return recordStart;
      }
      if (fields.length !== this.width) {
        this.#line--;
        throw this.#error(`expected ${this.width} fields, found ${fields.length}`);
      }
      for (let i = 0; i < fields.length; i++) this.#columns[i].push(fields[i]);
    }
    return length;
  }
}
