/** Small summaries for repeated measurements: the median is the figure, min and max show the noise. */
export interface Summary {
  min: number;
  median: number;
  max: number;
  all: number[];
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error('cannot summarize zero measurements');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : round((sorted[mid - 1] + sorted[mid]) / 2, 3);
  return { min: sorted[0], median, max: sorted[sorted.length - 1], all: values };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
