/**
 * Statistics of the load test: latency percentiles and the trend of a memory series. Pure (no clock, no I/O).
 */

/** The p-th percentile (0–100) by nearest rank, of values sorted ascending; null when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Percentiles, maximum and mean of latencies in milliseconds (the input is not modified). */
export function summarizeLatencies(latenciesMs: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
    mean: sorted.length === 0 ? null : sum / sorted.length,
  };
}

/**
 * Least-squares line through points (x, y): its slope, and the residuals' standard deviation (the noise a slope must
 * exceed, over the span of x, to mean anything). Null slope for fewer than two distinct x.
 */
export function linearTrend(points: readonly { x: number; y: number }[]): {
  slope: number | null;
  intercept: number | null;
  residualSd: number | null;
} {
  const n = points.length;
  if (n < 2) return { slope: null, intercept: null, residualSd: null };
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return { slope: null, intercept: null, residualSd: null };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const ss = points.reduce((a, p) => a + (p.y - (intercept + slope * p.x)) ** 2, 0);
  return { slope, intercept, residualSd: n > 2 ? Math.sqrt(ss / (n - 2)) : 0 };
}
