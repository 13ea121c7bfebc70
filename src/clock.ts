/**
 * The one place below the faces that reads the clock or starts a timer (a lint rule keeps it so). Everything else
 * takes a {@link Clock} (or a time) as an argument, so tests can move time instead of waiting for it.
 */
import { setTimeout as sleepTimer } from "node:timers/promises";

/** A source of the current time, in milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** The current time of `clock` in whole Unix seconds (block-time units). */
export function unixSeconds(clock: Clock = systemClock): number {
  return Math.floor(clock.now() / 1000);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return sleepTimer(ms);
}

/** Runs `fn` once after `ms` milliseconds unless cancelled; returns the cancel function. */
export function startTimer(ms: number, fn: () => void): () => void {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
}
