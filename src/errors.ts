/**
 * One error base for the whole project. Every failure a user can meet carries a stable `code` (snake_case, part of
 * the public interface: scripts match on it) and a short message; `details` holds what helps to fix it.
 */
export class LerError extends Error {
  override readonly name: string = "LerError";
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** The chain could not be read or written: node down, timeout, wrong chain, inconsistent answers. */
export class ChainError extends LerError {
  override readonly name = "ChainError";
}

/** Arguments or input files are malformed. */
export class UsageError extends LerError {
  override readonly name = "UsageError";
}

export function isLerError(e: unknown): e is LerError {
  return e instanceof LerError;
}
