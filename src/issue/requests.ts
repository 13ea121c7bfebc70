import { extname } from "node:path";
import {
  achievement,
  type Achievement,
  type AchievementInput,
  type AlignmentInput,
  type CriteriaInput,
} from "../credentials/index.js";
import { LerError, UsageError } from "../errors.js";
import { csvRecords, normalizeKey } from "./csv.js";
import type { CredentialRequest } from "./types.js";

/**
 * Credential requests from what an issuer writes: a flat or nested JSON object, CSV rows or JSON Lines, with defaults
 * for what a record leaves out. Pure: the caller reads the file and supplies how times and achievement ids are made.
 */

/** How requests are completed: an achievement's default id, and how a written time (`validUntil`) is read. */
export interface RequestContext {
  /** The id of an achievement that names none (from its name and type). */
  achievementId: (name: string, type: string) => string;
  /** Unix seconds from a date, date-time or seconds written as text; throws a usage error otherwise. */
  parseTime: (text: string) => number;
}

/** `text` as JSON; a usage error naming `where` otherwise. */
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
export function requestFrom(
  value: unknown,
  defaults: AchievementDefaults,
  where: string,
  context: RequestContext,
): CredentialRequest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError("invalid_request", `${where} is not an object.`);
  }
  const flat = Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [normalizeKey(k), v]),
  );
  const subject = flat.subject ?? flat.to ?? flat.holder;
  if (typeof subject !== "string" || subject.trim() === "") {
    throw new UsageError("missing_field", `${where} names no subject (the learner's DID).`);
  }
  const request: CredentialRequest = { subject: subject.trim() };
  if (flat.id !== undefined) {
    if (
      typeof flat.id !== "string" ||
      !/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(flat.id)
    ) {
      throw new UsageError(
        "invalid_field",
        `${where}: a credential id is urn:uuid: and a lowercase UUID, not ${JSON.stringify(flat.id)}.`,
      );
    }
    request.id = flat.id;
  }
  const until = flat.validuntil ?? defaults.validUntil;
  if (until !== undefined) {
    if (typeof until === "number") request.validUntil = until;
    else if (typeof until === "string") request.validUntil = wrap(where, () => context.parseTime(until));
    else throw new UsageError("invalid_field", `${where}: validUntil must be a date or unix seconds.`);
  }
  if (Array.isArray(flat.achievements)) {
    request.achievements = flat.achievements.map((a, i) =>
      buildAchievement(a, {}, `${where}, achievements[${i}]`, context.achievementId, true),
    );
  } else if (typeof flat.achievement === "object" && flat.achievement !== null) {
    request.achievement = buildAchievement(
      flat.achievement,
      defaults,
      `${where}, achievement`,
      context.achievementId,
      true,
    );
  } else {
    request.achievement = buildAchievement(flat, defaults, where, context.achievementId, false);
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
  if (type === undefined)
    throw new UsageError("missing_field", `${where} has no achievement type (e.g. Degree, Course; --type).`);
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
  const alignments = Array.isArray(a.alignments)
    ? (a.alignments as AlignmentInput[])
    : Array.isArray(a.alignment)
      ? (a.alignment as AlignmentInput[])
      : typeof a.skills === "string"
        ? parseSkills(a.skills, where)
        : defaults.skills;
  if (alignments !== undefined && alignments.length > 0) input.alignments = alignments;
  const image = str(a.image) ?? defaults.image;
  if (image !== undefined) input.image = image;
  if (typeof a.creditsavailable === "number") input.creditsAvailable = a.creditsavailable;
  else if (typeof a.creditsavailable === "string" && /^\d+(\.\d+)?$/.test(a.creditsavailable))
    input.creditsAvailable = Number(a.creditsavailable);
  return wrap(where, () => achievement(input));
}

/** `--skill "SQL=https://esco.example/skill/sql"` (repeatable) or a CSV cell `SQL=https://…; Python=https://…`. */
export function parseSkill(text: string, framework?: string): AlignmentInput {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) {
    throw new UsageError(
      "invalid_argument",
      `A skill is NAME=URL (e.g. "SQL=https://esco.example/skill/sql"), not "${text}".`,
    );
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
    if (e instanceof LerError && !(e instanceof UsageError))
      throw new UsageError(e.code, `${where}: ${e.message}`, { cause: e });
    if (e instanceof UsageError)
      throw new UsageError(e.code, e.message.startsWith(where) ? e.message : `${where}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Credential requests from a batch file: CSV (by extension or content) or JSON Lines (or a JSON array). `where`
 * names the file in messages; `path`'s extension may say it is JSON Lines.
 */
export function batchRequests(
  text: string,
  { path, where }: { path: string; where: string },
  defaults: AchievementDefaults,
  context: RequestContext,
): CredentialRequest[] {
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
  return records.map(({ line, value }) => requestFrom(value, defaults, `${unit} ${line} of ${where}`, context));
}
