import type { VerificationResult } from "../verify/report.js";

/**
 * The service's own verification outcomes and latencies, kept in memory since start. Counts are exact; percentiles
 * are taken over the last {@link LATENCY_WINDOW} verifications. Time comes in as an argument.
 */

export const LATENCY_WINDOW = 10_000;
/** Histogram bucket upper bounds, milliseconds (the last bucket is everything above). */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;
/** Minutes of per-minute counts kept for the timeline. */
export const TIMELINE_MINUTES = 120;

export type VerificationKind = "credential" | "presentation";

export interface ServiceMetrics {
  /** When counting started (ISO 8601). */
  since: string;
  verifications: {
    total: number;
    byResult: Record<VerificationResult, number>;
    byKind: Record<VerificationKind, number>;
  };
  latencyMs: {
    /** Verifications the percentiles are taken over (the most recent ones). */
    window: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    max: number | null;
    mean: number | null;
    /** Counts since start: `le` is the bucket's upper bound in ms, null for the open last bucket. */
    histogram: { le: number | null; count: number }[];
  };
  /** Per minute (start time, ISO 8601), the minutes with verifications among the last {@link TIMELINE_MINUTES}. */
  timeline: { minute: string; valid: number; invalid: number; unknown: number }[];
}

export class VerificationMetrics {
  private readonly since: number;
  private readonly byResult: Record<VerificationResult, number> = { valid: 0, invalid: 0, unknown: 0 };
  private readonly byKind: Record<VerificationKind, number> = { credential: 0, presentation: 0 };
  private readonly latencies: number[] = [];
  private next = 0;
  private readonly histogram = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  private readonly minutes = new Map<number, Record<VerificationResult, number>>();

  constructor(startedAtMs: number) {
    this.since = startedAtMs;
  }

  record({
    kind,
    result,
    latencyMs,
    atMs,
  }: {
    kind: VerificationKind;
    result: VerificationResult;
    latencyMs: number;
    atMs: number;
  }): void {
    this.byResult[result]++;
    this.byKind[kind]++;
    if (this.latencies.length < LATENCY_WINDOW) this.latencies.push(latencyMs);
    else this.latencies[this.next] = latencyMs;
    this.next = (this.next + 1) % LATENCY_WINDOW;
    const bucket = LATENCY_BUCKETS_MS.findIndex((le) => latencyMs <= le);
    this.histogram[bucket === -1 ? LATENCY_BUCKETS_MS.length : bucket]!++;
    const minute = Math.floor(atMs / 60_000);
    const counts = this.minutes.get(minute) ?? { valid: 0, invalid: 0, unknown: 0 };
    counts[result]++;
    this.minutes.set(minute, counts);
    for (const m of this.minutes.keys()) if (m <= minute - TIMELINE_MINUTES) this.minutes.delete(m);
  }

  snapshot(nowMs: number): ServiceMetrics {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const rank = (p: number) =>
      sorted.length === 0 ? null : round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!);
    const total = this.byResult.valid + this.byResult.invalid + this.byResult.unknown;
    const oldest = Math.floor(nowMs / 60_000) - TIMELINE_MINUTES;
    return {
      since: new Date(this.since).toISOString(),
      verifications: { total, byResult: { ...this.byResult }, byKind: { ...this.byKind } },
      latencyMs: {
        window: sorted.length,
        p50: rank(50),
        p95: rank(95),
        p99: rank(99),
        max: sorted.length === 0 ? null : round(sorted[sorted.length - 1]!),
        mean: sorted.length === 0 ? null : round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
        histogram: this.histogram.map((count, i) => ({ le: LATENCY_BUCKETS_MS[i] ?? null, count })),
      },
      timeline: [...this.minutes.entries()]
        .filter(([m]) => m > oldest)
        .sort(([a], [b]) => a - b)
        .map(([m, c]) => ({ minute: new Date(m * 60_000).toISOString(), ...c })),
    };
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
