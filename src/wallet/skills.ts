import { normalizeCredential } from "did-jwt-vc";
import { credentialJwtOf, credentialOfPayload, presentationOfPayload } from "../credentials/jose.js";
import { isLerError, LerError } from "../errors.js";
import { achievementsOf, type Achievement } from "../credentials/index.js";
import type { VerificationResult } from "../verify/report.js";
import { jwtPayload } from "./jwt.js";

/**
 * The learner's view: which achievements, skills and competencies held credentials prove (from Open Badges
 * achievements and their alignments to skills frameworks), and how they compare with an opportunity's job
 * profile (docs/job-profile.md). Pure: no network, no clock. Whether a credential verifies is an input (the faces
 * verify first and pass the results in); a credential known to be invalid proves nothing.
 */

/** Most credentials one wallet report reads. */
export const MAX_HELD_CREDENTIALS = 500;

/** A held credential, read into the W3C data model. */
export interface HeldCredential {
  /** How reports name it: its `id`, or `#<position>` when it has none. */
  ref: string;
  /** 1-based position in the input. */
  position: number;
  /** The credential in W3C form (did-jwt-vc's normalizeCredential of the JWT payload). */
  credential: Record<string, unknown>;
  /** The compact JWT it came from, when it came from one (what a verifier checks). */
  jwt?: string;
}

/** An input item that could not be read as a credential. Reported, never dropped silently. */
export interface UnreadableCredential {
  position: number;
  code: string;
  message: string;
}

export interface HeldCredentials {
  held: HeldCredential[];
  unreadable: UnreadableCredential[];
}

/** What a credential is, in one line of a report. */
export interface HeldCredentialSummary {
  ref: string;
  position: number;
  id?: string;
  name?: string;
  types: string[];
  issuer?: string;
  issuerName?: string;
  subject?: string;
  issuanceDate?: string;
  expirationDate?: string;
  achievements: AchievementRef[];
  verification?: VerificationResult;
}

export interface AchievementRef {
  id: string;
  name: string;
  achievementType: string;
}

/** One credential backing a skill, an achievement or a requirement. */
export interface Evidence {
  credential: string;
  credentialName?: string;
  issuer?: string;
  issuerName?: string;
  achievement: AchievementRef;
  /** Omitted when the credential was not verified. */
  verification?: VerificationResult;
}

export interface ProvenAchievement extends AchievementRef {
  description: string;
  provenBy: Evidence[];
}

/** A skill or competency: an alignment target, or an achievement of type Competency. */
export interface ProvenSkill {
  /** Deduplication key: the normalised targetUrl (or achievement id), else framework and code, else the name. */
  key: string;
  source: "alignment" | "achievement";
  name: string;
  targetUrl?: string;
  targetCode?: string;
  targetFramework?: string;
  targetType?: string;
  targetDescription?: string;
  provenBy: Evidence[];
}

export interface SkillsReport {
  credentials: HeldCredentialSummary[];
  achievements: ProvenAchievement[];
  skills: ProvenSkill[];
  unreadable: UnreadableCredential[];
}

/** A required (or preferred) skill: a name, a framework item (targetUrl), a code, or several of these. */
export interface SkillRequirement {
  name?: string;
  targetUrl?: string;
  targetCode?: string;
  targetFramework?: string;
}

/** An achievement of one of these types is required (any one of them). */
export interface AchievementTypeRequirement {
  achievementType: string[];
  label?: string;
}

/** An opportunity's requirements (docs/job-profile.md). */
export interface JobProfile {
  id?: string;
  title: string;
  organization?: string;
  description?: string;
  url?: string;
  requiredAchievementTypes: AchievementTypeRequirement[];
  requiredSkills: SkillRequirement[];
  preferredSkills: SkillRequirement[];
}

/**
 * met: proven by a credential that verified valid (or was not verified); unconfirmed: only by credentials whose
 * verification was unknown (chain unreadable); missing: no credential proves it, or only invalid ones do.
 */
export type RequirementStatus = "met" | "unconfirmed" | "missing";

export interface MatchedEvidence extends Evidence {
  /** How the credential matched: the framework item's URL, its code, its name, the achievement's id or type. */
  matchedBy: "targetUrl" | "targetCode" | "name" | "achievementId" | "achievementType";
}

export interface RequirementResult {
  kind: "achievementType" | "skill";
  /** Required (counts towards `satisfied`) or preferred (reported only). */
  required: boolean;
  label: string;
  requirement: AchievementTypeRequirement | SkillRequirement;
  status: RequirementStatus;
  evidence: MatchedEvidence[];
  /** Credentials that would match but are invalid. */
  rejected: MatchedEvidence[];
}

export interface MatchReport {
  profile: { id?: string; title: string; organization?: string; url?: string };
  /** Every required item is met. */
  satisfied: boolean;
  summary: {
    required: number;
    met: number;
    unconfirmed: number;
    missing: number;
    preferred: number;
    preferredMet: number;
  };
  requirements: RequirementResult[];
  /** Labels of the required items not met (missing or unconfirmed), for a one-line answer. */
  gaps: string[];
  skills: SkillsReport;
}

export interface WalletOptions {
  /** Verification result of each held credential, by its `ref`. */
  verification?: ReadonlyMap<string, VerificationResult>;
}

// ---- reading held credentials ----------------------------------------------------------------------------------

/**
 * Reads what a learner holds: JWT strings (credentials, or presentations whose credentials are taken), W3C
 * credentials (with or without `proof.jwt`), JWT payloads (`{ vc: … }`), W3C presentations, or an array of any of
 * these. Items that cannot be read are listed in `unreadable` with a code; a credential given twice (same JWT, or
 * same `id`) is kept once.
 */
export function readHeldCredentials(input: unknown): HeldCredentials {
  const out: HeldCredentials = { held: [], unreadable: [] };
  const seen = new Set<string>();
  let position = 0;
  const add = (item: unknown, where: "top" | "list" | "presentation"): void => {
    if (where === "top" && Array.isArray(item)) {
      for (const x of item) add(x, "list");
      return;
    }
    // A presentation's credentials are held; a presentation inside a presentation is not read (it is unreadable).
    const presented = where === "presentation" ? undefined : presentationCredentials(item);
    if (presented !== undefined) {
      for (const c of presented) add(c, "presentation");
      return;
    }
    position++;
    if (position > MAX_HELD_CREDENTIALS) {
      throw new LerError("too_many_credentials", `At most ${MAX_HELD_CREDENTIALS} credentials are read at once.`);
    }
    const at = position;
    try {
      const { credential, jwt } = readOne(item);
      const fingerprint = jwt ?? JSON.stringify(credential);
      if (seen.has(fingerprint)) return;
      seen.add(fingerprint);
      const id = typeof credential.id === "string" && credential.id !== "" ? credential.id : undefined;
      // The same credential twice (say as a JWT and as its W3C form) is held once, as the form that carries a
      // signature when one of them does.
      const twin = id === undefined ? undefined : out.held.find((h) => h.ref === id);
      if (twin !== undefined) {
        if (twin.jwt === undefined && jwt !== undefined) Object.assign(twin, { credential, jwt, position: at });
        return;
      }
      const ref = id ?? `#${at}`;
      out.held.push({ ref, position: at, credential, ...(jwt !== undefined && { jwt }) });
    } catch (e) {
      if (!isLerError(e)) throw e;
      out.unreadable.push({ position: at, code: e.code, message: e.message });
    }
  };
  add(input, "top");
  return out;
}

/**
 * Splits pasted text into held-credential input: JSON (a credential, a presentation, or an array) when it starts
 * with `{` or `[`, otherwise JWTs separated by whitespace or commas. Bad JSON throws `invalid_json`.
 */
export function heldCredentialsFromText(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t) as unknown;
    } catch (e) {
      throw new LerError("invalid_json", `The credentials are not valid JSON: ${(e as Error).message}`);
    }
  }
  return t.split(/[\s,]+/).filter((s) => s !== "");
}

function presentationCredentials(item: unknown): unknown[] | undefined {
  if (typeof item === "string") {
    const payload = jwtPayloadOrUndefined(item);
    // The `vp` claim (VC 1.1) or the payload itself (VC-JOSE, VC 2.0).
    const vp = payload === undefined ? undefined : presentationOfPayload(payload);
    if (vp === undefined) return undefined;
    return asArray(vp.verifiableCredential).map(credentialJwtOf);
  }
  if (!isObject(item)) return undefined;
  if (isObject(item.vp)) return asArray(item.vp.verifiableCredential).map(credentialJwtOf);
  if (asArray(item.type).includes("VerifiablePresentation")) {
    const jwt = isObject(item.proof) ? item.proof.jwt : undefined;
    if (typeof jwt === "string") return presentationCredentials(jwt) ?? [];
    return asArray(item.verifiableCredential).map(credentialJwtOf);
  }
  return undefined;
}

function readOne(item: unknown): { credential: Record<string, unknown>; jwt?: string } {
  if (typeof item === "string") {
    const jwt = item.trim();
    const payload = jwtPayloadOrUndefined(jwt);
    if (payload === undefined)
      throw new LerError("malformed_jwt", "Not a JWT: three base64url parts with a JSON payload.");
    try {
      return { credential: credentialOfPayload(payload).credential, jwt };
    } catch (e) {
      throw new LerError("invalid_credential", (e as Error).message);
    }
  }
  if (!isObject(item)) throw new LerError("invalid_credential", "A credential is a JWT string or a JSON object.");
  const proofJwt = isObject(item.proof) ? item.proof.jwt : undefined;
  if (typeof proofJwt === "string") return readOne(proofJwt);
  if (isObject(item.vc)) return { credential: normalize(item) };
  if (asArray(item.type).includes("VerifiableCredential") || item.credentialSubject !== undefined) {
    return { credential: { ...item } };
  }
  throw new LerError("invalid_credential", "The object is neither a W3C credential nor a JWT payload carrying one.");
}

function normalize(payload: Record<string, unknown>): Record<string, unknown> {
  try {
    return normalizeCredential(payload as never) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new LerError("invalid_credential", `The credential cannot be read: ${(e as Error).message}`);
  }
}

/** The payload of a compact JWT (three base64url parts, a JSON object in the middle), undecoded otherwise. */
function jwtPayloadOrUndefined(token: string): Record<string, unknown> | undefined {
  const t = token.trim();
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(t) ? jwtPayload(t) : undefined;
}

// ---- skills ----------------------------------------------------------------------------------------------------

/** The achievements, skills and competencies the held credentials prove, each with the credentials behind it. */
export function skillsReport(held: HeldCredentials, options: WalletOptions = {}): SkillsReport {
  const report: SkillsReport = { credentials: [], achievements: [], skills: [], unreadable: [...held.unreadable] };
  const achievements = new Map<string, ProvenAchievement>();
  const skills = new Map<string, ProvenSkill>();
  for (const h of held.held) {
    const verification = options.verification?.get(h.ref);
    let list: Achievement[];
    try {
      list = achievementsOf(h.credential);
    } catch (e) {
      if (!isLerError(e)) throw e;
      report.unreadable.push({ position: h.position, code: e.code, message: e.message });
      continue;
    }
    const summary = summarize(h, list);
    if (verification !== undefined) summary.verification = verification;
    report.credentials.push(summary);
    for (const a of list) {
      const evidence = evidenceOf(summary, a, verification);
      const known = achievements.get(a.id);
      if (known === undefined) {
        achievements.set(a.id, { ...ref(a), description: a.description, provenBy: [evidence] });
      } else {
        known.provenBy.push(evidence);
      }
      if (a.achievementType === "Competency") {
        addSkill(
          skills,
          { key: `url:${normalizeUrl(a.id)}`, source: "achievement", name: a.name, targetUrl: a.id, provenBy: [] },
          evidence,
        );
      }
      for (const al of a.alignment ?? []) {
        const skill: ProvenSkill = { key: skillKey(al), source: "alignment", name: al.targetName, provenBy: [] };
        if (al.targetUrl !== undefined) skill.targetUrl = al.targetUrl;
        if (al.targetCode !== undefined) skill.targetCode = al.targetCode;
        if (al.targetFramework !== undefined) skill.targetFramework = al.targetFramework;
        if (al.targetType !== undefined) skill.targetType = al.targetType;
        if (al.targetDescription !== undefined) skill.targetDescription = al.targetDescription;
        addSkill(skills, skill, evidence);
      }
    }
  }
  report.achievements = [...achievements.values()];
  report.skills = [...skills.values()].sort((a, b) => a.name.localeCompare(b.name));
  report.unreadable.sort((a, b) => a.position - b.position);
  return report;
}

function addSkill(skills: Map<string, ProvenSkill>, skill: ProvenSkill, evidence: Evidence): void {
  const known = skills.get(skill.key);
  if (known === undefined) {
    skills.set(skill.key, { ...skill, provenBy: [evidence] });
  } else if (
    !known.provenBy.some((e) => e.credential === evidence.credential && e.achievement.id === evidence.achievement.id)
  ) {
    known.provenBy.push(evidence);
  }
}

function skillKey(al: {
  targetUrl?: string;
  targetCode?: string;
  targetFramework?: string;
  targetName: string;
}): string {
  if (al.targetUrl !== undefined && al.targetUrl !== "") return `url:${normalizeUrl(al.targetUrl)}`;
  if (al.targetCode !== undefined && al.targetCode !== "")
    return `code:${norm(al.targetFramework ?? "")}:${norm(al.targetCode)}`;
  return `name:${norm(al.targetName)}`;
}

function summarize(h: HeldCredential, list: Achievement[]): HeldCredentialSummary {
  const c = h.credential;
  const s: HeldCredentialSummary = {
    ref: h.ref,
    position: h.position,
    types: asArray(c.type).filter((t): t is string => typeof t === "string"),
    achievements: list.map(ref),
  };
  if (typeof c.id === "string") s.id = c.id;
  if (typeof c.name === "string") s.name = c.name;
  else if (list.length === 1) s.name = list[0]!.name;
  const issuer = c.issuer;
  if (typeof issuer === "string") s.issuer = issuer;
  else if (isObject(issuer)) {
    if (typeof issuer.id === "string") s.issuer = issuer.id;
    if (typeof issuer.name === "string") s.issuerName = issuer.name;
  }
  const subject = asArray(c.credentialSubject)[0];
  if (isObject(subject) && typeof subject.id === "string") s.subject = subject.id;
  if (typeof c.issuanceDate === "string") s.issuanceDate = c.issuanceDate;
  else if (typeof c.validFrom === "string") s.issuanceDate = c.validFrom;
  if (typeof c.expirationDate === "string") s.expirationDate = c.expirationDate;
  else if (typeof c.validUntil === "string") s.expirationDate = c.validUntil;
  return s;
}

function evidenceOf(s: HeldCredentialSummary, a: Achievement, verification: VerificationResult | undefined): Evidence {
  const e: Evidence = { credential: s.ref, achievement: ref(a) };
  if (s.name !== undefined) e.credentialName = s.name;
  if (s.issuer !== undefined) e.issuer = s.issuer;
  if (s.issuerName !== undefined) e.issuerName = s.issuerName;
  if (verification !== undefined) e.verification = verification;
  return e;
}

const ref = (a: Achievement): AchievementRef => ({ id: a.id, name: a.name, achievementType: a.achievementType });

// ---- job profiles ----------------------------------------------------------------------------------------------

const PROFILE_MEMBERS = [
  "$schema",
  "type",
  "id",
  "title",
  "organization",
  "description",
  "url",
  "requiredAchievementTypes",
  "requiredSkills",
  "preferredSkills",
] as const;
const SKILL_MEMBERS = ["name", "targetUrl", "targetCode", "targetFramework"] as const;
const TYPE_MEMBERS = ["achievementType", "label"] as const;
const MAX_REQUIREMENTS = 200;

/**
 * Checks and reads a job profile (docs/job-profile.md). Throws `invalid_job_profile` naming the bad member: a typo
 * in a member name would otherwise drop a requirement without a word.
 */
export function parseJobProfile(json: unknown): JobProfile {
  if (!isObject(json)) bad("", "is not a JSON object");
  const unknown = Object.keys(json).filter((k) => !(PROFILE_MEMBERS as readonly string[]).includes(k));
  if (unknown.length > 0)
    bad(unknown[0]!, `is not a job profile member (expected one of ${PROFILE_MEMBERS.slice(1).join(", ")})`);
  if (json.type !== undefined && json.type !== "JobProfile") bad("type", 'must be "JobProfile" when given');
  const title = text(json.title, "title");
  if (title === undefined) bad("title", "is missing");
  const profile: JobProfile = {
    title,
    requiredAchievementTypes: list(json.requiredAchievementTypes, "requiredAchievementTypes").map(typeRequirement),
    requiredSkills: list(json.requiredSkills, "requiredSkills").map((s, i) =>
      skillRequirement(s, `requiredSkills[${i}]`),
    ),
    preferredSkills: list(json.preferredSkills, "preferredSkills").map((s, i) =>
      skillRequirement(s, `preferredSkills[${i}]`),
    ),
  };
  for (const key of ["id", "organization", "description", "url"] as const) {
    const v = text(json[key], key);
    if (v !== undefined) profile[key] = v;
  }
  if (profile.requiredAchievementTypes.length + profile.requiredSkills.length + profile.preferredSkills.length === 0) {
    bad("", "names no requirement (requiredAchievementTypes, requiredSkills or preferredSkills)");
  }
  return profile;
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) bad(path, "is not an array");
  if (value.length > MAX_REQUIREMENTS) bad(path, `has more than ${MAX_REQUIREMENTS} entries`);
  return value;
}

function typeRequirement(value: unknown, i: number): AchievementTypeRequirement {
  const path = `requiredAchievementTypes[${i}]`;
  if (typeof value === "string") {
    if (value.trim() === "") bad(path, "is an empty string");
    return { achievementType: [value.trim()] };
  }
  if (!isObject(value)) bad(path, "is neither a type name nor an object");
  const unknown = Object.keys(value).filter((k) => !(TYPE_MEMBERS as readonly string[]).includes(k));
  if (unknown.length > 0) bad(`${path}.${unknown[0]}`, "is not a member of an achievement type requirement");
  const t = value.achievementType;
  const types = typeof t === "string" ? [t] : Array.isArray(t) ? t : undefined;
  if (types === undefined || types.length === 0 || !types.every((x) => typeof x === "string" && x.trim() !== "")) {
    bad(`${path}.achievementType`, "is not a type name or a non-empty array of type names");
  }
  const out: AchievementTypeRequirement = { achievementType: types.map((x: string) => x.trim()) };
  const label = text(value.label, `${path}.label`);
  if (label !== undefined) out.label = label;
  return out;
}

function skillRequirement(value: unknown, path: string): SkillRequirement {
  if (typeof value === "string") {
    if (value.trim() === "") bad(path, "is an empty string");
    return { name: value.trim() };
  }
  if (!isObject(value)) bad(path, "is neither a skill name nor an object");
  const unknown = Object.keys(value).filter((k) => !(SKILL_MEMBERS as readonly string[]).includes(k));
  if (unknown.length > 0) bad(`${path}.${unknown[0]}`, "is not a member of a skill requirement");
  const out: SkillRequirement = {};
  for (const key of SKILL_MEMBERS) {
    const v = text(value[key], `${path}.${key}`);
    if (v !== undefined) out[key] = v;
  }
  if (out.name === undefined && out.targetUrl === undefined && out.targetCode === undefined) {
    bad(path, "names no skill: give a name, a targetUrl or a targetCode");
  }
  return out;
}

function text(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") bad(path, "is not a non-empty string");
  return value.trim();
}

function bad(path: string, why: string): never {
  throw new LerError("invalid_job_profile", path === "" ? `The job profile ${why}.` : `Job profile: ${path} ${why}.`, {
    details: { path },
  });
}

// ---- matching --------------------------------------------------------------------------------------------------

/**
 * Compares what the held credentials prove with a job profile. A required skill that names a targetUrl or a
 * targetCode is matched by those identifiers only (a name is then just its label); one that names only a name is
 * matched by name (case and spacing ignored). Achievements count too: a targetUrl equal to an achievement's id, or
 * a name-only requirement equal to an achievement's name.
 */
export function matchJobProfile(held: HeldCredentials, profile: JobProfile, options: WalletOptions = {}): MatchReport {
  const skills = skillsReport(held, options);
  const byRef = new Map(skills.credentials.map((c) => [c.ref, c]));
  const achievements: { a: Achievement; c: HeldCredentialSummary }[] = [];
  for (const h of held.held) {
    const c = byRef.get(h.ref);
    if (c === undefined) continue;
    for (const a of achievementsOf(h.credential)) achievements.push({ a, c });
  }
  const requirements: RequirementResult[] = [];
  for (const r of profile.requiredAchievementTypes) {
    const wanted = new Set(r.achievementType);
    const found = achievements
      .filter(({ a }) => wanted.has(a.achievementType))
      .map(({ a, c }) => matched(c, a, "achievementType"));
    requirements.push(result("achievementType", true, r.label ?? r.achievementType.join(" or "), r, found));
  }
  const skillRows = [
    ...profile.requiredSkills.map((r) => ({ r, required: true })),
    ...profile.preferredSkills.map((r) => ({ r, required: false })),
  ];
  for (const { r, required } of skillRows) {
    const found: MatchedEvidence[] = [];
    for (const { a, c } of achievements) {
      const how = skillMatch(r, a);
      if (how !== undefined) found.push(matched(c, a, how));
    }
    requirements.push(result("skill", required, r.name ?? r.targetCode ?? r.targetUrl ?? "", r, found));
  }
  const req = requirements.filter((r) => r.required);
  const pref = requirements.filter((r) => !r.required);
  const profileOut: MatchReport["profile"] = { title: profile.title };
  if (profile.id !== undefined) profileOut.id = profile.id;
  if (profile.organization !== undefined) profileOut.organization = profile.organization;
  if (profile.url !== undefined) profileOut.url = profile.url;
  return {
    profile: profileOut,
    satisfied: req.every((r) => r.status === "met"),
    summary: {
      required: req.length,
      met: req.filter((r) => r.status === "met").length,
      unconfirmed: req.filter((r) => r.status === "unconfirmed").length,
      missing: req.filter((r) => r.status === "missing").length,
      preferred: pref.length,
      preferredMet: pref.filter((r) => r.status === "met").length,
    },
    requirements,
    gaps: req.filter((r) => r.status !== "met").map((r) => r.label),
    skills,
  };
}

function skillMatch(r: SkillRequirement, a: Achievement): MatchedEvidence["matchedBy"] | undefined {
  const byIdentifier = r.targetUrl !== undefined || r.targetCode !== undefined;
  if (r.targetUrl !== undefined) {
    const url = normalizeUrl(r.targetUrl);
    if (normalizeUrl(a.id) === url) return "achievementId";
    if ((a.alignment ?? []).some((al) => al.targetUrl !== undefined && normalizeUrl(al.targetUrl) === url))
      return "targetUrl";
  }
  if (r.targetCode !== undefined) {
    const code = norm(r.targetCode);
    const hit = (a.alignment ?? []).some(
      (al) =>
        al.targetCode !== undefined &&
        norm(al.targetCode) === code &&
        (r.targetFramework === undefined ||
          al.targetFramework === undefined ||
          norm(al.targetFramework) === norm(r.targetFramework)),
    );
    if (hit) return "targetCode";
  }
  if (byIdentifier || r.name === undefined) return undefined;
  const name = norm(r.name);
  if ((a.alignment ?? []).some((al) => norm(al.targetName) === name) || norm(a.name) === name) return "name";
  return undefined;
}

function matched(c: HeldCredentialSummary, a: Achievement, matchedBy: MatchedEvidence["matchedBy"]): MatchedEvidence {
  return { ...evidenceOf(c, a, c.verification), matchedBy };
}

function result(
  kind: RequirementResult["kind"],
  required: boolean,
  label: string,
  requirement: RequirementResult["requirement"],
  found: MatchedEvidence[],
): RequirementResult {
  const evidence = found.filter((e) => e.verification !== "invalid");
  const rejected = found.filter((e) => e.verification === "invalid");
  const status: RequirementStatus = evidence.some((e) => e.verification === undefined || e.verification === "valid")
    ? "met"
    : evidence.length > 0
      ? "unconfirmed"
      : "missing";
  return { kind, required, label, requirement, status, evidence, rejected };
}

// ---- entry points for the faces ----------------------------------------------------------------------------------

/** What a verifier checks for each held credential, in `held.held` order: its JWT, or the object when it has none. */
export function verifiableInputs(held: HeldCredentials): unknown[] {
  return held.held.map((h) => h.jwt ?? h.credential);
}

/** Pairs verification reports (in `held.held` order, as `verifyCredentials` returns them) with the credentials. */
export function verificationByRef(
  held: HeldCredentials,
  reports: readonly { result: VerificationResult }[],
): Map<string, VerificationResult> {
  if (reports.length !== held.held.length) {
    throw new LerError(
      "verification_mismatch",
      `${reports.length} verification reports for ${held.held.length} credentials.`,
    );
  }
  return new Map(held.held.map((h, i) => [h.ref, reports[i]!.result]));
}

/** `ler wallet skills`: what the held credentials prove. `input` as {@link readHeldCredentials} takes it. */
export function walletSkills(input: unknown, options: WalletOptions = {}): SkillsReport {
  return skillsReport(readHeldCredentials(input), options);
}

/** `ler wallet match`: the gap report of the held credentials against a job profile (JSON, unchecked). */
export function walletMatch(input: unknown, profile: unknown, options: WalletOptions = {}): MatchReport {
  return matchJobProfile(readHeldCredentials(input), parseJobProfile(profile), options);
}

// ---- helpers ---------------------------------------------------------------------------------------------------

/** Case, spacing and Unicode compatibility forms do not distinguish names. */
function norm(s: string): string {
  return s.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

/** Scheme and host are case-insensitive and a trailing slash means nothing; the path keeps its case. */
function normalizeUrl(s: string): string {
  const t = s.trim();
  try {
    const u = new URL(t);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}${u.search}${u.hash}`;
  } catch {
    // Not a URL (a URN, say): compared as written.
    return t;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
