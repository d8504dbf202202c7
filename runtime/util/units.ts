/**
 * Numbers as people read them, the one place for it: counts with thousands separators, sizes in
 * B/KiB/MiB/GiB, elapsed seconds. Progress lines, the extract summary and `dvt status` use these.
 *
 * @module
 */

/** Formats a count with thousands separators: 1234567 -> "1,234,567". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Formats bytes as B/KiB/MiB/GiB with one decimal. */
export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Formats elapsed seconds: `0.4s`, `12s`, `3m05s`. */
export function formatElapsed(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
}
