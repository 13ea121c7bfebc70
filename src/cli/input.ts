import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { parseJsonLines } from "../issue/requests.js";
import { jwtPayload } from "../wallet/jwt.js";
import { readAll } from "./secret.js";

/**
 * The CLI's input: reading a file (or stdin) and finding the credentials and presentations in it. Parsing requests
 * is src/issue/requests.ts (CSV: src/issue/csv.ts); a JWT's self-description is src/wallet/jwt.ts.
 */
// Shim: src/cli/commands/verify.ts reads payloads from here.

/** The contents of a file, or of stdin for `-`. A missing or unreadable file is a usage error (exit 64). */
export async function readInput(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (path === "-") return readAll(stdin);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : (code ?? "unreadable");
    throw new UsageError("file_not_found", `Cannot read ${path}: ${why}.`, { cause: e });
  }
}

/** `label` for messages: the file name, or "stdin". */
export function sourceName(path: string): string {
  return path === "-" ? "stdin" : path;
}

/** What a file given to `ler verify` or `ler wallet add` holds. */
export interface FoundToken {
  kind: "credential" | "presentation";
  /** A compact JWT, or the raw value when none was found (verification then reports the format failure). */
  token: unknown;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The credentials and presentations in a text: a compact JWT; JSON with `jwt` (what `ler issue --json` and
 * `ler wallet present --json` print) or `proof.jwt` (a W3C credential or presentation); a JSON array of those; or
 * JSON Lines of those (what `ler issuer batch --out` writes). Whether a JWT is a presentation is read from its
 * payload (`vp`) or the W3C type.
 */
export function tokensIn(text: string, where: string): FoundToken[] {
  const t = text.trim();
  if (t === "") throw new UsageError("empty_input", `${where} is empty.`);
  if (JWT_SHAPE.test(t)) return [{ kind: kindOfJwt(t), token: t }];
  if (t.startsWith("{") || t.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      // Not one JSON document: JSON Lines, one token per line.
      if (t.startsWith("{")) return parseJsonLines(t, where).flatMap(({ value: v }) => fromJson(v));
      throw new UsageError("invalid_json", `${where} is neither a JWT nor valid JSON.`);
    }
    return Array.isArray(value) ? value.flatMap(fromJson) : fromJson(value);
  }
  const lines = t
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (lines.length > 1 && lines.every((l) => JWT_SHAPE.test(l)))
    return lines.map((l) => ({ kind: kindOfJwt(l), token: l }));
  // Something else: handed on as is, so that the report says what is wrong with it.
  return [{ kind: "credential", token: t }];
}

function fromJson(value: unknown): FoundToken[] {
  if (typeof value === "string")
    return [{ kind: JWT_SHAPE.test(value.trim()) ? kindOfJwt(value.trim()) : "credential", token: value.trim() }];
  if (typeof value !== "object" || value === null) return [{ kind: "credential", token: value }];
  const o = value as Record<string, unknown>;
  if (typeof o.jwt === "string") return [{ kind: kindOfJwt(o.jwt), token: o.jwt }];
  const proof = o.proof as { jwt?: unknown } | undefined;
  const types = Array.isArray(o.type) ? o.type : [o.type];
  const isVp = types.includes("VerifiablePresentation");
  if (typeof proof?.jwt === "string") return [{ kind: isVp ? "presentation" : kindOfJwt(proof.jwt), token: proof.jwt }];
  if (Array.isArray(o.credentials)) return o.credentials.flatMap(fromJson);
  return [{ kind: isVp ? "presentation" : "credential", token: value }];
}

function kindOfJwt(jwt: string): "credential" | "presentation" {
  const payload = jwtPayload(jwt);
  if (payload === undefined) return "credential";
  // A VC 2.0 presentation secured as a JWT is its payload: `type` says which.
  const types = Array.isArray(payload.type) ? payload.type : [payload.type];
  return payload.vp !== undefined || types.includes("VerifiablePresentation") ? "presentation" : "credential";
}
