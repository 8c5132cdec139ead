// Helpers shared by the bench scripts.

/** The median of some numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Option `--name` of parseArgs' `options` as a positive integer; exits with a message if not. */
export function positiveOption(options, name) {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench: --${name} must be a positive integer, got "${options[name]}"`);
    process.exit(1);
  }
  return value;
}
