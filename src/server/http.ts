import { LerError, type ErrorCode } from "../errors.js";

/** A request the service refuses: HTTP status, stable code, short message. Rendered as `{ error: { code, message } }`. */
export class HttpError extends LerError {
  override readonly name = "HttpError";
  readonly status: number;

  constructor(status: number, code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details === undefined ? {} : { details });
    this.status = status;
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(details !== undefined && { details }) } };
}

export const badRequest = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new HttpError(400, code, message, details);

/** The body as a JSON object with only the `allowed` members (a typo would otherwise be ignored without a word). */
export function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("invalid_body", "The request body must be a JSON object (Content-Type: application/json).");
  }
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(
      "unknown_member",
      `Unknown member "${unknown[0]}"; expected ${allowed.map((a) => `"${a}"`).join(", ")}.`,
      {
        member: unknown[0],
      },
    );
  }
  return body as Record<string, unknown>;
}

/** An optional string member of at most `max` characters. */
export function optionalString(value: unknown, name: string, max = 1024): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw badRequest("invalid_parameter", `"${name}" must be a string.`, { parameter: name });
  if (value.length > max)
    throw badRequest("invalid_parameter", `"${name}" is longer than ${max} characters.`, { parameter: name });
  return value;
}

/** A non-negative integer query parameter with a ceiling. */
export function parseCount(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  if (typeof value !== "string" || !/^\d{1,9}$/.test(value)) {
    throw badRequest("invalid_parameter", `"${name}" must be a non-negative integer.`, { parameter: name });
  }
  return Math.min(Number(value), max);
}

export const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
