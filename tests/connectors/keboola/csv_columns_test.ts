import assert from "node:assert/strict";
import { CsvColumns } from "../../../connectors/keboola/csv_columns.ts";

const TEXT = '"1","a ""q"", b"\r\n"2","line\nbreak"\r\n3,plain\r\n"4",""\n';

Deno.test("CsvColumns parses the same records whatever the chunk boundaries", () => {
  for (let size = 1; size <= TEXT.length; size++) {
    const parser = new CsvColumns(2, "test");
    for (let at = 0; at < TEXT.length; at += size) parser.push(TEXT.slice(at, at + size));
    parser.finish();
    assert.deepEqual(parser.take(), [["1", "2", "3", "4"], [
      'a "q", b',
      "line\nbreak",
      "plain",
      "",
    ]], `chunk size ${size}`);
  }
});

Deno.test("CsvColumns fails a cut slice and a short record with the line", () => {
  const cut = new CsvColumns(2, "slice x");
  cut.push('"1","open');
  assert.throws(() => cut.finish(), /slice x, line 1: the slice ends inside a quoted field/);
  const short = new CsvColumns(2, "slice y");
  assert.throws(() => short.push('"1","a"\n"2"\n'), /slice y, line 2: expected 2 fields, found 1/);
});
