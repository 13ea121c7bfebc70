import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { CredentialRequest } from "../agent/types.js";
import { achievement, type Achievement, type AchievementInput, type AlignmentInput, type CriteriaInput } from "../credentials/index.js";
import { LerError, UsageError } from "../errors.js";
import { parseTime } from "./config.js";
import { readAll } from "./secret.js";

/** The contents of a file, or of stdin for `-`. A missing or unreadable file is a usage error (exit 64). */
export async function readInput(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (path === "-") return readAll(stdin);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (code ?? "unreadable");
    throw new UsageError("file_not_found", `Cannot read ${path}: ${why}.`, { cause: e });
  }
}

/** `label` for messages: the file name, or "stdin". */
export function sourceName(path: string): string {
  return path === "-" ? "stdin" : path;
}

export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError("invalid_json", `${where} is not valid JSON (${(e as Error).message}).`);
  }
}

/** The records of a JSON Lines text (blank lines and `#` comments skipped), each with its line number. */
export function parseJsonLines(text: string, where: string): { line: number; value: unknown }[] {
  const out: { line: number; value: unknown }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    out.push({ line: i + 1, value: parseJson(line, `line ${i + 1} of ${where}`) });
  });
  return out;
}

/**
 * RFC 4180 CSV: fields separated by commas, optionally in double quotes (which may hold commas, newlines and `""`
 * for a quote). Returns rows of fields with the line each row starts on.
 */
export function parseCsv(text: string, where: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let field = "";
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  const s = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === "")) rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ",") {
      fields.push(field);
      field = "";
      fieldStarted = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && s[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new UsageError("invalid_csv", `${where}: a quoted field starting on line ${rowLine} is never closed.`);
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}

/** CSV rows as objects keyed by the header row (header names compared without case, spaces, `_` or `-`). */
export function csvRecords(text: string, where: string): { line: number; value: Record<string, string> }[] {
  const rows = parseCsv(text, where);
  const header = rows.shift();
  if (header === undefined) return [];
  const keys = header.fields.map((h) => normalizeKey(h));
  return rows.map(({ line, fields }) => {
    if (fields.length !== keys.length) {
      throw new UsageError("invalid_csv", `Line ${line} of ${where} has ${fields.length} fields; the header has ${keys.length}.`);
    }
    const value: Record<string, string> = {};
    keys.forEach((k, i) => {
      const v = fields[i]!.trim();
      if (v !== "") value[k] = v;
    });
    return { line, value };
  });
}

function normalizeKey(k: string): string {
  return k.trim().toLowerCase().replace(/[\s_-]/g, "");
}

/** What the flags of `ler issue` / `ler issuer batch` give for every credential that does not say otherwise. */
export interface AchievementDefaults {
  type?: string;
  name?: string;
  description?: string;
  criteria?: string;
  achievementId?: string;
  skills?: AlignmentInput[];
  image?: string;
  validUntil?: number;
}

/** Reads a flat or nested credential request; `subject` is left as written (a DID, an address or an alias). */
export function requestFrom(value: unknown, defaults: AchievementDefaults, where: string, defaultAchievementId: (name: string, type: string) => string): CredentialRequest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError("invalid_request", `${where} is not an object.`);
  }
  const flat = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [normalizeKey(k), v]));
  const subject = flat.subject ?? flat.to ?? flat.holder;
  if (typeof subject !== "string" || subject.trim() === "") {
    throw new UsageError("missing_field", `${where} names no subject (the learner's DID).`);
  }
  const request: CredentialRequest = { subject: subject.trim() };
  if (flat.id !== undefined) {
    if (typeof flat.id !== "string" || !/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(flat.id)) {
      throw new UsageError("invalid_field", `${where}: a credential id is urn:uuid: and a lowercase UUID, not ${JSON.stringify(flat.id)}.`);
    }
    request.id = flat.id;
  }
  const until = flat.validuntil ?? defaults.validUntil;
  if (until !== undefined) {
    if (typeof until === "number") request.validUntil = until;
    else if (typeof until === "string") request.validUntil = wrap(where, () => parseTime("validUntil")(until));
    else throw new UsageError("invalid_field", `${where}: validUntil must be a date or unix seconds.`);
  }
  if (Array.isArray(flat.achievements)) {
    request.achievements = flat.achievements.map((a, i) => buildAchievement(a, {}, `${where}, achievements[${i}]`, defaultAchievementId, true));
  } else if (typeof flat.achievement === "object" && flat.achievement !== null) {
    request.achievement = buildAchievement(flat.achievement, defaults, `${where}, achievement`, defaultAchievementId, true);
  } else {
    request.achievement = buildAchievement(flat, defaults, where, defaultAchievementId, false);
  }
  return request;
}

function buildAchievement(
  value: unknown,
  defaults: AchievementDefaults,
  where: string,
  defaultId: (name: string, type: string) => string,
  nested: boolean,
): Achievement {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError("invalid_request", `${where} is not an object.`);
  }
  const a = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [normalizeKey(k), v]));
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const type = str(a.achievementtype) ?? str(a.type) ?? defaults.type;
  const name = str(a.name) ?? defaults.name;
  if (type === undefined) throw new UsageError("missing_field", `${where} has no achievement type (e.g. Degree, Course; --type).`);
  if (name === undefined) throw new UsageError("missing_field", `${where} has no achievement name (--name).`);
  const description = str(a.description) ?? defaults.description ?? name;
  let criteria: CriteriaInput;
  if (typeof a.criteria === "object" && a.criteria !== null) criteria = a.criteria as CriteriaInput;
  else criteria = { narrative: str(a.criteria) ?? defaults.criteria ?? description };
  const input: AchievementInput = {
    // In a nested achievement `id` is the achievement's; in a flat record it is the credential's.
    id: str(a.achievementid) ?? (nested ? str(a.id) : undefined) ?? defaults.achievementId ?? defaultId(name, type),
    name,
    description,
    criteria,
    achievementType: type as AchievementInput["achievementType"],
  };
  const alignments = Array.isArray(a.alignments) ? (a.alignments as AlignmentInput[]) : Array.isArray(a.alignment) ? (a.alignment as AlignmentInput[]) : typeof a.skills === "string" ? parseSkills(a.skills, where) : defaults.skills;
  if (alignments !== undefined && alignments.length > 0) input.alignments = alignments;
  const image = str(a.image) ?? defaults.image;
  if (image !== undefined) input.image = image;
  if (typeof a.creditsavailable === "number") input.creditsAvailable = a.creditsavailable;
  else if (typeof a.creditsavailable === "string" && /^\d+(\.\d+)?$/.test(a.creditsavailable)) input.creditsAvailable = Number(a.creditsavailable);
  return wrap(where, () => achievement(input));
}

/** `--skill "SQL=https://esco.example/skill/sql"` (repeatable) or a CSV cell `SQL=https://…; Python=https://…`. */
export function parseSkill(text: string, framework?: string): AlignmentInput {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) {
    throw new UsageError("invalid_argument", `A skill is NAME=URL (e.g. "SQL=https://esco.example/skill/sql"), not "${text}".`);
  }
  const skill: AlignmentInput = { targetName: text.slice(0, eq).trim(), targetUrl: text.slice(eq + 1).trim() };
  if (framework !== undefined) skill.targetFramework = framework;
  return skill;
}

function parseSkills(cell: string, where: string): AlignmentInput[] {
  return wrap(where, () =>
    cell
      .split(";")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((s) => parseSkill(s)),
  );
}

/** Runs `fn`; a data error inside it becomes a usage error naming where the bad data is. */
function wrap<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LerError && !(e instanceof UsageError)) throw new UsageError(e.code, `${where}: ${e.message}`, { cause: e });
    if (e instanceof UsageError) throw new UsageError(e.code, e.message.startsWith(where) ? e.message : `${where}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Credential requests from a batch file: CSV (by extension or content) or JSON Lines (or a JSON array). */
export function batchRequests(
  text: string,
  path: string,
  defaults: AchievementDefaults,
  defaultAchievementId: (name: string, type: string) => string,
): CredentialRequest[] {
  const where = sourceName(path);
  const trimmed = text.trimStart();
  let records: { line: number; value: unknown }[];
  if (trimmed === "") throw new UsageError("empty_input", `${where} is empty.`);
  if (trimmed.startsWith("[")) {
    const arr = parseJson(text, where);
    if (!Array.isArray(arr)) throw new UsageError("invalid_request", `${where} is not a JSON array.`);
    records = arr.map((value, i) => ({ line: i + 1, value }));
  } else if (trimmed.startsWith("{") || /\.jsonl$|\.ndjson$/i.test(extname(path))) {
    records = parseJsonLines(text, where);
  } else {
    records = csvRecords(text, where);
  }
  if (records.length === 0) throw new UsageError("empty_input", `${where} holds no credentials to issue.`);
  const unit = trimmed.startsWith("[") ? "item" : "line";
  return records.map(({ line, value }) => requestFrom(value, defaults, `${unit} ${line} of ${where}`, defaultAchievementId));
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
  const lines = t.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length > 1 && lines.every((l) => JWT_SHAPE.test(l))) return lines.map((l) => ({ kind: kindOfJwt(l), token: l }));
  // Something else: handed on as is, so that the report says what is wrong with it.
  return [{ kind: "credential", token: t }];
}

function fromJson(value: unknown): FoundToken[] {
  if (typeof value === "string") return [{ kind: JWT_SHAPE.test(value.trim()) ? kindOfJwt(value.trim()) : "credential", token: value.trim() }];
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
  try {
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
    // A VC 2.0 presentation secured as a JWT is its payload: `type` says which.
    const types = Array.isArray(payload.type) ? payload.type : [payload.type];
    return payload.vp !== undefined || types.includes("VerifiablePresentation") ? "presentation" : "credential";
  } catch {
    return "credential";
  }
}

/** The decoded payload of a credential JWT (no verification: for listing and lookups). */
export function jwtPayload(jwt: string): Record<string, unknown> | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as unknown;
    return typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A credential's id, name, issuer, subject and types as its JWT states them. */
export function describeJwt(jwt: string): { id?: string; name?: string; issuer?: string; issuerName?: string; subject?: string; types: string[]; issuedAt?: number; expiresAt?: number } {
  const p = jwtPayload(jwt) ?? {};
  // The credential: the `vc` claim (VC 1.1), or the payload itself (VC-JOSE).
  const vc = (typeof p.vc === "object" && p.vc !== null ? p.vc : p) as Record<string, unknown>;
  const subject = (vc.credentialSubject ?? {}) as Record<string, unknown>;
  const achievementValue = subject.achievement;
  const achievements = (Array.isArray(achievementValue) ? achievementValue : achievementValue !== undefined ? [achievementValue] : []) as Record<string, unknown>[];
  // did-jwt-vc moves members it has no claim for (name, issuer profile) from `vc` to the top of the payload.
  const issuer = (vc.issuer ?? p.issuer) as { name?: unknown } | string | undefined;
  const out: ReturnType<typeof describeJwt> = {
    types: [...new Set(achievements.map((a) => a.achievementType).filter((t): t is string => typeof t === "string"))],
  };
  const id = p.jti ?? vc.id;
  if (typeof id === "string") out.id = id;
  const name = vc.name ?? p.name;
  if (typeof name === "string") out.name = name;
  if (typeof p.iss === "string") out.issuer = p.iss;
  if (typeof issuer === "object" && typeof issuer?.name === "string") out.issuerName = issuer.name;
  const sub = p.sub ?? subject.id;
  if (typeof sub === "string") out.subject = sub;
  if (typeof p.nbf === "number") out.issuedAt = p.nbf;
  if (typeof p.exp === "number") out.expiresAt = p.exp;
  return out;
}
