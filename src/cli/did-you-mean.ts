/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name closest to `unknown`, for a "did you mean" hint: within a third of its length in edits,
 * or one that starts with it. Undefined when nothing is close.
 */
export function closestName(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const score = name.startsWith(unknown) ? 0.5 : distance(unknown, name);
    if (score < bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return bestScore <= Math.max(2, Math.floor(unknown.length / 3)) ? best : undefined;
}
