// Parsing of numeric command-line values shared by the benchmarks. Pure; throws with the option's
// name so a typo is reported as such.

/** A positive number; `_` and `,` may group digits ("2_000_000", "2,000,000"). */
export function positiveNumber(s: string, name: string): number {
  const n = Number(s.replace(/[_,]/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} expects a positive number, got "${s}"`);
  return n;
}

/** A comma-separated list of whole numbers ≥ 0, e.g. linger.ms values. */
export function wholeNumbers(s: string, name: string): number[] {
  return s.split(',').map((x) => {
    const n = Number(x.trim());
    if (x.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`--${name} expects whole numbers ≥ 0, got "${x}"`);
    return n;
  });
}
