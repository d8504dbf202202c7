/**
 * "Did you mean ...?" for a mistyped command or option: the candidates within three edits
 * (optimal string alignment distance: a swap of two neighbouring letters is one edit) that share
 * more than 40% of the word, the closest ones only. Same rule and wording as commander's
 * suggestSimilar, which dvt's CLI used before, so suggestions read as they did.
 *
 * @module
 */

const MAX_DISTANCE = 3;
const MIN_SIMILARITY = 0.4;

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_DISTANCE) return Math.max(a.length, b.length);
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d[i] = [i];
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let j = 1; j <= b.length; j++) {
    for (let i = 1; i <= a.length; i++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The suggestion to append to an error message: `"\n(Did you mean extract?)"`,
 * `"\n(Did you mean one of --json, --junit?)"`, or `""` when nothing is close.
 */
export function suggestSimilar(word: string, candidates: string[]): string {
  const options = word.startsWith("--");
  const strip = (text: string) => options ? text.slice(2) : text;
  const typed = strip(word);
  let similar: string[] = [];
  let bestDistance = MAX_DISTANCE;
  for (const candidate of new Set(candidates.map(strip))) {
    if (candidate.length <= 1) continue; // no one-letter guesses
    const distance = editDistance(typed, candidate);
    const length = Math.max(typed.length, candidate.length);
    if ((length - distance) / length <= MIN_SIMILARITY) continue;
    if (distance < bestDistance) {
      bestDistance = distance;
      similar = [candidate];
    } else if (distance === bestDistance) {
      similar.push(candidate);
    }
  }
  const named = similar.sort((a, b) => a.localeCompare(b)).map((name) =>
    options ? `--${name}` : name
  );
  if (named.length > 1) return `\n(Did you mean one of ${named.join(", ")}?)`;
  return named.length === 1 ? `\n(Did you mean ${named[0]}?)` : "";
}
