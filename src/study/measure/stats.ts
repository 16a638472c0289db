// Summaries of a plain list of numbers (repeated runs of one measurement),
// for the tools that take the median of several runs. Latencies are not
// summarised here: they live in HDR histograms (latency-histogram.ts).

/**
 * The median of `values`: the middle one, or the mean of the two middle ones
 * when their number is even. Undefined for an empty list, so that "no runs"
 * can never pass for a figure. NaN values are left out (a run that measured
 * nothing); infinities count as values. Does not change `values`.
 */
export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
