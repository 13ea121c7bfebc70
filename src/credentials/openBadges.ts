import { LerError } from "../errors.js";
import { type IssuanceAnchorProof, issuanceAnchorOf, parseIssuanceAnchor } from "./anchor.js";
import { LER_CONTEXT } from "./contexts.js";
import {
  type BitstringStatusListEntry,
  type StatusRegistryEntry,
  bitstringEntryOf,
  ethrDidAddress,
  mirrorsLerEntry,
  parseStatusEntry,
  statusEntry,
} from "./status.js";
import { VC_CONTEXT_V2 } from "./jose.js";
import { isPlainObject } from "./values.js";

// Open Badges 3.0 and CLR 2.0 shaped credentials, written in the W3C VC Data Model 2.0 (validFrom, validUntil), as
// Open Badges 3.0 specifies them today; `joseCredentialPayload` (./jose.ts) secures them as a JWT. Credentials in
// the VC 1.1 model (issuanceDate, expirationDate, in a `vc` claim) are still read and checked, never built.

export const VC_CONTEXT_V1 = "https://www.w3.org/2018/credentials/v1";
export const OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
export const CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";
// The builders end @context with LER_CONTEXT, which defines the members of credentialStatus and issuanceAnchor.
// Reading does not require it: credentials issued before it was added still verify.

/** The name of a ClrCredential built without one. */
export const CLR_DEFAULT_NAME = "Comprehensive Learner Record";

/** The Open Badges 3.0 AchievementType vocabulary. Other values are extensions written `ext:<name>`. */
export const ACHIEVEMENT_TYPES = [
  "Achievement",
  "ApprenticeshipCertificate",
  "Assessment",
  "Assignment",
  "AssociateDegree",
  "Award",
  "Badge",
  "BachelorDegree",
  "Certificate",
  "CertificateOfCompletion",
  "Certification",
  "CommunityService",
  "Competency",
  "Course",
  "CoCurricular",
  "Degree",
  "Diploma",
  "DoctoralDegree",
  "Fieldwork",
  "GeneralEducationDevelopment",
  "JourneymanCertificate",
  "LearningProgram",
  "License",
  "Membership",
  "ProfessionalDoctorate",
  "QualityAssuranceCredential",
  "MasterCertificate",
  "MasterDegree",
  "MicroCredential",
  "ResearchDoctorate",
  "SecondarySchoolDiploma",
] as const;

export type AchievementType = (typeof ACHIEVEMENT_TYPES)[number] | `ext:${string}`;

/** The Open Badges 3.0 AlignmentTargetType vocabulary (what kind of framework item an alignment points at). */
export const ALIGNMENT_TARGET_TYPES = [
  "ceasn:Competency",
  "ceterms:Credential",
  "CFItem",
  "CFRubric",
  "CFRubricCriterion",
  "CFRubricCriterionLevel",
  "CTDL",
] as const;

export type AlignmentTargetType = (typeof ALIGNMENT_TARGET_TYPES)[number] | `ext:${string}`;

/** How the achievement is earned: a narrative, the URL of a page that says, or both. */
export type CriteriaInput = { narrative: string; id?: string } | { id: string; narrative?: string };

export type Criteria = {
  id?: string;
  narrative?: string;
};

/** A link from an achievement to an item of a skills or competency framework. */
export type AlignmentInput = {
  targetName: string;
  targetUrl: string;
  targetDescription?: string;
  targetFramework?: string;
  targetCode?: string;
  targetType?: AlignmentTargetType;
};

export type Alignment = AlignmentInput & {
  type: ["Alignment"];
};

export type Image = {
  id: string;
  type: "Image";
};

export interface AchievementInput {
  /** A URI that names the achievement (the same for every learner who earns it). */
  id: string;
  name: string;
  description: string;
  criteria: CriteriaInput;
  achievementType: AchievementType;
  alignments?: readonly AlignmentInput[];
  /** URL of the badge image. */
  image?: string;
  creditsAvailable?: number;
}

export type Achievement = {
  id: string;
  type: ["Achievement"];
  achievementType: AchievementType;
  name: string;
  description: string;
  criteria: Criteria;
  alignment?: Alignment[];
  image?: Image;
  creditsAvailable?: number;
};

export interface IssuerInput {
  /** The issuer's DID. */
  id: string;
  name: string;
  url?: string;
  email?: string;
}

export type IssuerProfile = {
  id: string;
  type: ["Profile"];
  name: string;
  url?: string;
  email?: string;
};

export interface SubjectInput {
  /** The holder's DID. */
  id: string;
  creditsEarned?: number;
  licenseNumber?: string;
}

export type AchievementSubject = {
  id: string;
  type: ["AchievementSubject"];
  achievement: Achievement;
  creditsEarned?: number;
  licenseNumber?: string;
};

export type ClrSubject = {
  id: string;
  type: ["ClrSubject"];
  /** The achievements the record lists (each also in one of the embedded credentials, when there are any). */
  achievement: Achievement[];
  /** The learner's credentials the record bundles, each with its own issuer signature (CLR 2.0). */
  verifiableCredential?: EnvelopedCredential[];
  association?: Association[];
};

/**
 * A JWT-secured credential embedded in another document (VC Data Model 2.0 "enveloped verifiable credential"): the
 * compact JWT travels whole, in a `data:` URL of media type application/vc+jwt, so its signature travels with it.
 */
export type EnvelopedCredential = {
  "@context": typeof VC_CONTEXT_V2;
  id: string;
  type: "EnvelopedVerifiableCredential";
};

/** A CLR 2.0 association between two achievements of the record, by their ids. */
export type Association = {
  type: "Association";
  associationType: (typeof ASSOCIATION_TYPES)[number];
  sourceId: string;
  targetId: string;
};

/** CLR 2.0's AssociationType vocabulary. */
export const ASSOCIATION_TYPES = [
  "exactMatchOf",
  "isChildOf",
  "isParentOf",
  "isPartOf",
  "isPeerOf",
  "isRelatedTo",
  "precedes",
  "replacedBy",
] as const;

/** The `data:` URL prefix of an enveloped JWT credential. */
export const ENVELOPED_JWT_PREFIX = "data:application/vc+jwt,";

/** The enveloped form of a compact JWT credential. */
export function envelopedCredential(jwt: string): EnvelopedCredential {
  if (typeof jwt !== "string" || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jwt)) {
    invalid("credentialSubject.verifiableCredential", "holds something that is not a compact JWT");
  }
  return { "@context": VC_CONTEXT_V2, id: `${ENVELOPED_JWT_PREFIX}${jwt}`, type: "EnvelopedVerifiableCredential" };
}

/**
 * The compact JWTs a CLR embeds (`credentialSubject.verifiableCredential`): enveloped credentials (`data:` URLs of
 * application/vc+jwt) or bare compact JWTs. Undefined when it embeds none. Throws `invalid_field` for any other
 * entry (an embedded credential must carry its own signature).
 */
export function embeddedCredentialsOf(credential: object): string[] | undefined {
  const subject = (credential as { credentialSubject?: unknown }).credentialSubject;
  const list = isPlainObject(subject) ? subject.verifiableCredential : undefined;
  if (list === undefined) return undefined;
  const path = "credentialSubject.verifiableCredential";
  if (!Array.isArray(list) || list.length === 0) invalid(path, "is not a non-empty array");
  return list.map((item: unknown, i) => {
    if (typeof item === "string" && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(item)) return item;
    const id = isPlainObject(item) ? item.id : undefined;
    const isEnveloped = isPlainObject(item) && asArray(item.type).includes("EnvelopedVerifiableCredential");
    if (!isEnveloped || typeof id !== "string" || !id.startsWith(ENVELOPED_JWT_PREFIX)) {
      invalid(`${path}[${i}]`, `is not an EnvelopedVerifiableCredential whose id is a ${ENVELOPED_JWT_PREFIX}… URL`);
    }
    return id.slice(ENVELOPED_JWT_PREFIX.length);
  });
}

type CredentialCommon = {
  id: string;
  name: string;
  issuer: IssuerProfile;
  /** Second precision, `Z` time zone: the JWT `nbf` claim holds no more. */
  validFrom: string;
  validUntil?: string;
  /** The LER entry, or (as issued now) it and the BitstringStatusListEntry entries of its list and index. */
  credentialStatus?: StatusRegistryEntry | (StatusRegistryEntry | BitstringStatusListEntry)[];
  issuanceAnchor?: IssuanceAnchorProof;
};

export type OpenBadgeCredential = CredentialCommon & {
  "@context": [typeof VC_CONTEXT_V2, typeof OB_CONTEXT, typeof LER_CONTEXT];
  type: ["VerifiableCredential", "OpenBadgeCredential"];
  credentialSubject: AchievementSubject;
};

export type ClrCredential = CredentialCommon & {
  "@context": [typeof VC_CONTEXT_V2, typeof CLR_CONTEXT, typeof OB_CONTEXT, typeof LER_CONTEXT];
  type: ["VerifiableCredential", "ClrCredential"];
  description?: string;
  credentialSubject: ClrSubject;
};

interface CredentialParametersCommon {
  /** `urn:uuid:<lowercase UUID>`; it becomes the JWT `jti`. */
  id: string;
  issuer: IssuerInput;
  subject: SubjectInput;
  issuedAt: Date;
  validUntil?: Date;
  /** An LERStatusRegistryEntry, or an array of one and BitstringStatusListEntry entries on its list and index. */
  status?: StatusRegistryEntry | readonly (StatusRegistryEntry | BitstringStatusListEntry)[];
  issuanceAnchor?: IssuanceAnchorProof;
}

export interface OpenBadgeCredentialParameters extends CredentialParametersCommon {
  achievement: Achievement;
  /** The credential's name; the achievement's name by default. */
  name?: string;
}

export interface ClrCredentialParameters extends CredentialParametersCommon {
  achievements: readonly Achievement[];
  /** The learner's credentials (compact JWTs) the record bundles, enveloped in `credentialSubject.verifiableCredential`. */
  credentials?: readonly string[];
  associations?: readonly Omit<Association, "type">[];
  /** The credential's name, e.g. "Transcript of records"; {@link CLR_DEFAULT_NAME} by default. */
  name?: string;
  description?: string;
}

/** An alignment of an achievement the holder earned, with that achievement. */
export interface Skill extends AlignmentInput {
  achievement: { id: string; name: string; achievementType: AchievementType };
}

export type ValidationResult =
  { ok: true } | { ok: false; code: "missing_field" | "invalid_field"; message: string; path: string };

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const HTTP_URL = /^https?:\/\/\S+$/;
const DID = /^did:[a-z0-9]+:(?:[A-Za-z0-9._%-]*:)*[A-Za-z0-9._%-]+$/;
const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EXTENSION = /^ext:[A-Za-z0-9._-]+$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const OB_TYPES = ["OpenBadgeCredential", "AchievementCredential"];

/** An Open Badges 3.0 Achievement. Throws `missing_field` or `invalid_field` with the path of the bad member. */
export function achievement(input: AchievementInput): Achievement {
  const criteria: Criteria = {};
  if (isPlainObject(input.criteria)) {
    if (input.criteria.id !== undefined) criteria.id = input.criteria.id;
    if (input.criteria.narrative !== undefined) criteria.narrative = input.criteria.narrative;
  }
  const out: Achievement = {
    id: input.id,
    type: ["Achievement"],
    achievementType: input.achievementType,
    name: input.name,
    description: input.description,
    criteria: isPlainObject(input.criteria) ? criteria : (input.criteria as Criteria),
  };
  if (input.alignments !== undefined) {
    if (!Array.isArray(input.alignments)) invalid("achievement.alignments", "is not an array");
    out.alignment = input.alignments.map((a: unknown, i) => {
      if (!isPlainObject(a)) invalid(`achievement.alignments[${i}]`, "is not an object");
      return copyAlignment(a as unknown as AlignmentInput);
    });
  }
  if (input.image !== undefined) out.image = { id: input.image, type: "Image" };
  if (input.creditsAvailable !== undefined) out.creditsAvailable = input.creditsAvailable;
  checkAchievement(out, "achievement");
  return out;
}

/**
 * An Open Badges 3.0 credential (OpenBadgeCredential) awarding `achievement` to `subject`, ready for
 * `createVerifiableCredential({ credential, proofFormat: "jwt" })`. Throws `missing_field` or `invalid_field`.
 */
export function openBadgeCredential(params: OpenBadgeCredentialParameters): OpenBadgeCredential {
  const subject: AchievementSubject = {
    id: params.subject?.id,
    type: ["AchievementSubject"],
    achievement: ownAchievement(params.achievement, "credentialSubject.achievement"),
  };
  if (params.subject?.creditsEarned !== undefined) subject.creditsEarned = params.subject.creditsEarned;
  if (params.subject?.licenseNumber !== undefined) subject.licenseNumber = params.subject.licenseNumber;
  const credential: OpenBadgeCredential = {
    "@context": [VC_CONTEXT_V2, OB_CONTEXT, LER_CONTEXT],
    type: ["VerifiableCredential", "OpenBadgeCredential"],
    ...common(params),
    name: params.name ?? params.achievement?.name,
    credentialSubject: subject,
  };
  return finish(credential);
}

/**
 * A CLR 2.0 credential (ClrCredential): the record of several achievements of one learner under the issuer's
 * signature, embedding the learner's credentials for them (`credentials`, each enveloped with its own signature) and
 * listing the achievements, with `associations` between them. Without `credentials` it is the achievements-only shape
 * earlier releases issued, which verifiers still read. Throws `missing_field` or `invalid_field`.
 */
export function clrCredential(params: ClrCredentialParameters): ClrCredential {
  const credential: ClrCredential = {
    "@context": [VC_CONTEXT_V2, CLR_CONTEXT, OB_CONTEXT, LER_CONTEXT],
    type: ["VerifiableCredential", "ClrCredential"],
    ...common(params),
    name: params.name ?? CLR_DEFAULT_NAME,
    credentialSubject: {
      id: params.subject?.id,
      type: ["ClrSubject"],
      achievement: Array.isArray(params.achievements)
        ? params.achievements.map((a, i) => ownAchievement(a, `credentialSubject.achievement[${i}]`))
        : (params.achievements as never),
    },
  };
  if (params.credentials !== undefined) {
    if (!Array.isArray(params.credentials) || params.credentials.length === 0)
      invalid("credentialSubject.verifiableCredential", "is not a non-empty array");
    credential.credentialSubject.verifiableCredential = params.credentials.map(envelopedCredential);
  }
  if (params.associations !== undefined && params.associations.length > 0) {
    credential.credentialSubject.association = params.associations.map((a) => ({ type: "Association", ...a }));
  }
  if (params.description !== undefined) credential.description = params.description;
  return finish(credential);
}

/**
 * The type names the trust registry must accept for this issuer: each achievementType of the subject's
 * achievement(s), in order, without repeats. A credential without achievements (any other VC) gives its `type`
 * entries other than VerifiableCredential. If some achievement has no achievementType, the VC types are added too,
 * so that no achievement escapes the check. Reads the W3C form (as did-jwt-vc's normalizeCredential returns it).
 * Throws `invalid_field` when there is no type at all: an empty list would make the trust check vacuous.
 */
export function credentialTypesOf(credential: object): string[] {
  const c = credential as Record<string, unknown>;
  const achievementTypes: string[] = [];
  let untyped = false;
  for (const subject of asArray(c.credentialSubject)) {
    if (!isPlainObject(subject)) continue;
    for (const a of asArray(subject.achievement)) {
      if (isPlainObject(a) && typeof a.achievementType === "string" && a.achievementType !== "") {
        achievementTypes.push(a.achievementType);
      } else {
        untyped = true;
      }
    }
  }
  const vcTypes = asArray(c.type).filter(
    (t): t is string => typeof t === "string" && t !== "" && t !== "VerifiableCredential",
  );
  const types = achievementTypes.length > 0 && !untyped ? achievementTypes : [...achievementTypes, ...vcTypes];
  if (types.length === 0) invalid("type", "names no credential type to check against the trust registry");
  return [...new Set(types)];
}

/**
 * The achievements of an Open Badges or CLR credential (W3C form), checked and copied (known members only); empty
 * for a credential without any. A malformed achievement throws `missing_field` or `invalid_field` with its path.
 */
export function achievementsOf(credential: object): Achievement[] {
  const c = credential as Record<string, unknown>;
  const out: Achievement[] = [];
  const subjects = asArray(c.credentialSubject);
  subjects.forEach((subject, s) => {
    if (!isPlainObject(subject) || subject.achievement === undefined) return;
    const base = Array.isArray(c.credentialSubject) ? `credentialSubject[${s}]` : "credentialSubject";
    const list = subject.achievement;
    asArray(list).forEach((a, i) => {
      const path = Array.isArray(list) ? `${base}.achievement[${i}]` : `${base}.achievement`;
      checkAchievement(a, path);
      out.push(copyAchievement(a as Achievement));
    });
  });
  return out;
}

/** Every alignment of every achievement of the credential, with the achievement it came from. */
export function skillsOf(credential: object): Skill[] {
  return achievementsOf(credential).flatMap((a) =>
    (a.alignment ?? []).map(({ type: _type, ...alignment }) => ({
      ...alignment,
      achievement: { id: a.id, name: a.name, achievementType: a.achievementType },
    })),
  );
}

/**
 * Checks that `credential` (W3C form) is a well-formed LER: an OpenBadgeCredential (or AchievementCredential) or a
 * ClrCredential with an issuer DID, a subject DID, dates that parse, achievements with id, name, description,
 * criteria and achievementType, and well-formed credentialStatus and issuanceAnchor members when present.
 */
export function validateLerCredential(credential: unknown): ValidationResult {
  try {
    checkCredential(credential);
    return { ok: true };
  } catch (e) {
    if (e instanceof LerError && (e.code === "missing_field" || e.code === "invalid_field")) {
      return { ok: false, code: e.code, message: e.message, path: String(e.details?.path ?? "") };
    }
    throw e;
  }
}

function common(params: CredentialParametersCommon): CredentialCommon {
  if (typeof params.id !== "string" || !URN_UUID.test(params.id)) {
    invalid("id", "is not urn:uuid: followed by a lowercase UUID");
  }
  if (params.issuer === undefined) missing("issuer");
  if (!isPlainObject(params.issuer)) invalid("issuer", "is not an object");
  if (params.issuer.name === undefined) missing("issuer.name");
  const issuer: IssuerProfile = { id: params.issuer.id, type: ["Profile"], name: params.issuer.name };
  if (params.issuer.url !== undefined) issuer.url = params.issuer.url;
  if (params.issuer.email !== undefined) issuer.email = params.issuer.email;
  const out: CredentialCommon = {
    id: params.id,
    name: "",
    issuer,
    validFrom: isoSeconds(params.issuedAt, "issuedAt"),
  };
  if (params.validUntil !== undefined) out.validUntil = isoSeconds(params.validUntil, "validUntil");
  if (params.status !== undefined) {
    const parsed = rethrowAsInvalid("invalid_status_entry", () => parseStatusEntry(params.status));
    if (parsed?.kind !== "ler")
      invalid("credentialStatus", "holds no LERStatusRegistryEntry, or an entry of another type");
    // The standard entries are the LER entry's bits published for stock verifiers: the same list and index.
    if (parsed.standard?.some((e) => !mirrorsLerEntry(e, parsed))) {
      invalid(
        "credentialStatus",
        "holds a BitstringStatusListEntry that is not the LER entry's list, index and purpose",
      );
    }
    const ler = statusEntry(parsed);
    out.credentialStatus = Array.isArray(params.status)
      ? [ler, ...(parsed.standard ?? []).map((e) => bitstringEntryOf(e) as BitstringStatusListEntry)]
      : ler;
  }
  if (params.issuanceAnchor !== undefined) {
    const anchor = params.issuanceAnchor;
    out.issuanceAnchor = rethrowAsInvalid("invalid_anchor", () => parseIssuanceAnchor(anchor));
  }
  return out;
}

function finish<T extends OpenBadgeCredential | ClrCredential>(credential: T): T {
  // Member order for readers: the optional members go last.
  const { credentialStatus, issuanceAnchor, ...rest } = credential;
  const out = { ...rest } as T;
  if (credentialStatus !== undefined) out.credentialStatus = credentialStatus;
  if (issuanceAnchor !== undefined) out.issuanceAnchor = issuanceAnchor;
  if (out.name === undefined) missing("name");
  checkCredential(out);
  return out;
}

// A checked copy of a caller's achievement, so the credential holds no members the type does not know.
function ownAchievement(value: unknown, path: string): Achievement {
  if (value === undefined) missing(path);
  checkAchievement(value, path);
  return copyAchievement(value);
}

function isoSeconds(date: unknown, path: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    if (date === undefined) missing(path);
    invalid(path, "is not a valid Date");
  }
  // JWT time claims are whole seconds; dropping the milliseconds here keeps validFrom equal to what nbf says.
  const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
  if (!/^\d{4}-/.test(iso)) invalid(path, "is outside the years 0000 to 9999");
  return iso.replace(/\.000Z$/, "Z");
}

function checkCredential(value: unknown): void {
  if (!isPlainObject(value)) invalid("", "is not a JSON object");
  const context = value["@context"];
  if (context === undefined) missing("@context");
  // VC Data Model 2.0, as issued now; 1.1 as issued before (and by other tools) is still read.
  if (!Array.isArray(context) || (context[0] !== VC_CONTEXT_V2 && context[0] !== VC_CONTEXT_V1)) {
    invalid("@context", `does not start with "${VC_CONTEXT_V2}" (or, in VC 1.1, "${VC_CONTEXT_V1}")`);
  }
  const v2 = context[0] === VC_CONTEXT_V2;
  const type = value.type;
  if (type === undefined) missing("type");
  if (!Array.isArray(type) || !type.every((t) => typeof t === "string") || !type.includes("VerifiableCredential")) {
    invalid("type", "is not an array of type names including VerifiableCredential");
  }
  const isClr = type.includes("ClrCredential");
  const isOb = OB_TYPES.some((t) => type.includes(t));
  if (isClr === isOb) invalid("type", "names neither or both of OpenBadgeCredential and ClrCredential");
  const needed = isClr ? CLR_CONTEXT : OB_CONTEXT;
  if (!context.includes(needed)) invalid("@context", `does not include "${needed}"`);
  if (value.id !== undefined) checkUri(value.id, "id");
  if (value.name !== undefined) checkText(value.name, "name");

  const issuer = value.issuer;
  if (issuer === undefined) missing("issuer");
  let issuerId: unknown = issuer;
  if (isPlainObject(issuer)) {
    issuerId = issuer.id;
    if (issuerId === undefined) missing("issuer.id");
    checkDid(issuerId, "issuer.id");
    if (issuer.name !== undefined) checkText(issuer.name, "issuer.name");
    if (issuer.url !== undefined && (typeof issuer.url !== "string" || !HTTP_URL.test(issuer.url))) {
      invalid("issuer.url", "is not an http(s) URL");
    }
    if (issuer.email !== undefined && (typeof issuer.email !== "string" || !EMAIL.test(issuer.email))) {
      invalid("issuer.email", "is not an email address");
    }
  } else {
    checkDid(issuer, "issuer");
  }

  // The validity period: validFrom/validUntil in VC 2.0 (Open Badges 3.0 requires validFrom), issuanceDate and
  // expirationDate in 1.1.
  const [from, until] = v2 ? (["validFrom", "validUntil"] as const) : (["issuanceDate", "expirationDate"] as const);
  const issued = checkDateTime(value[from], from);
  if (value[until] !== undefined) {
    const expires = checkDateTime(value[until], until);
    if (expires <= issued) invalid(until, `is not after ${from}`);
  }

  const subject = value.credentialSubject;
  if (subject === undefined) missing("credentialSubject");
  if (!isPlainObject(subject)) invalid("credentialSubject", "is not an object");
  if (subject.id === undefined) missing("credentialSubject.id");
  checkDid(subject.id, "credentialSubject.id");
  const achievements = subject.achievement;
  if (achievements === undefined) missing("credentialSubject.achievement");
  if (isClr) {
    if (!Array.isArray(achievements) || achievements.length === 0) {
      invalid("credentialSubject.achievement", "is not a non-empty array");
    }
    const ids = new Set<unknown>();
    achievements.forEach((a: unknown, i) => {
      const path = `credentialSubject.achievement[${i}]`;
      checkAchievement(a, path);
      if (ids.has(a.id)) invalid(`${path}.id`, "repeats an earlier achievement");
      ids.add(a.id);
    });
    embeddedCredentialsOf(value);
    const associations = subject.association;
    if (associations !== undefined) {
      if (!Array.isArray(associations)) invalid("credentialSubject.association", "is not an array");
      associations.forEach((a: unknown, i) => {
        const path = `credentialSubject.association[${i}]`;
        if (!isPlainObject(a) || !asArray(a.type).includes("Association"))
          invalid(path, 'is not an object of type "Association"');
        if (!(ASSOCIATION_TYPES as readonly unknown[]).includes(a.associationType))
          invalid(`${path}.associationType`, "is not a CLR 2.0 AssociationType");
        for (const end of ["sourceId", "targetId"] as const) {
          if (!ids.has(a[end])) invalid(`${path}.${end}`, "names no achievement of the record");
        }
      });
    }
  } else {
    checkAchievement(achievements, "credentialSubject.achievement");
    if (subject.creditsEarned !== undefined) checkCredits(subject.creditsEarned, "credentialSubject.creditsEarned");
    if (subject.licenseNumber !== undefined) checkText(subject.licenseNumber, "credentialSubject.licenseNumber");
  }

  if (value.credentialStatus !== undefined) {
    const status = rethrowAsInvalid("invalid_status_entry", () => parseStatusEntry(value.credentialStatus));
    // Status bits are kept per issuer address: an entry pointing at someone else's list is not this issuer's to set.
    const issuerAddress = typeof issuerId === "string" ? ethrDidAddress(issuerId) : undefined;
    if (status?.kind === "ler" && issuerAddress !== undefined && status.issuer !== issuerAddress) {
      invalid("credentialStatus.id", "names another issuer's status list");
    }
  }
  rethrowAsInvalid("invalid_anchor", () => issuanceAnchorOf(value));
}

function checkAchievement(value: unknown, path: string): asserts value is Achievement {
  if (!isPlainObject(value)) invalid(path, "is not an object");
  if (value.id === undefined) missing(`${path}.id`);
  checkUri(value.id, `${path}.id`);
  if (value.type === undefined) missing(`${path}.type`);
  if (!asArray(value.type).includes("Achievement")) invalid(`${path}.type`, "does not include Achievement");
  for (const key of ["name", "description"] as const) {
    if (value[key] === undefined) missing(`${path}.${key}`);
    checkText(value[key], `${path}.${key}`);
  }
  const criteria = value.criteria;
  if (criteria === undefined) missing(`${path}.criteria`);
  if (!isPlainObject(criteria)) invalid(`${path}.criteria`, "is not an object");
  if (criteria.id === undefined && criteria.narrative === undefined) {
    missing(`${path}.criteria`, "has neither a narrative nor an id");
  }
  if (criteria.id !== undefined) checkUri(criteria.id, `${path}.criteria.id`);
  if (criteria.narrative !== undefined) checkText(criteria.narrative, `${path}.criteria.narrative`);
  if (value.achievementType === undefined) missing(`${path}.achievementType`);
  checkVocabulary(value.achievementType, ACHIEVEMENT_TYPES, `${path}.achievementType`);
  if (value.alignment !== undefined) {
    if (!Array.isArray(value.alignment)) invalid(`${path}.alignment`, "is not an array");
    value.alignment.forEach((a: unknown, i) => checkAlignment(a, `${path}.alignment[${i}]`));
  }
  if (value.image !== undefined) {
    const image = value.image;
    if (!isPlainObject(image) || image.type !== "Image") invalid(`${path}.image`, 'is not an object of type "Image"');
    checkUri(image.id, `${path}.image.id`);
  }
  if (value.creditsAvailable !== undefined) checkCredits(value.creditsAvailable, `${path}.creditsAvailable`);
}

function checkAlignment(value: unknown, path: string): void {
  if (!isPlainObject(value)) invalid(path, "is not an object");
  if (!asArray(value.type).includes("Alignment")) invalid(`${path}.type`, "does not include Alignment");
  if (value.targetName === undefined) missing(`${path}.targetName`);
  checkText(value.targetName, `${path}.targetName`);
  if (value.targetUrl === undefined) missing(`${path}.targetUrl`);
  checkUri(value.targetUrl, `${path}.targetUrl`);
  for (const key of ["targetDescription", "targetFramework", "targetCode"] as const) {
    if (value[key] !== undefined) checkText(value[key], `${path}.${key}`);
  }
  if (value.targetType !== undefined) checkVocabulary(value.targetType, ALIGNMENT_TARGET_TYPES, `${path}.targetType`);
}

function copyAchievement(a: Achievement): Achievement {
  const criteria: Criteria = {};
  if (a.criteria.id !== undefined) criteria.id = a.criteria.id;
  if (a.criteria.narrative !== undefined) criteria.narrative = a.criteria.narrative;
  const out: Achievement = {
    id: a.id,
    type: ["Achievement"],
    achievementType: a.achievementType,
    name: a.name,
    description: a.description,
    criteria,
  };
  if (a.alignment !== undefined) {
    out.alignment = a.alignment.map(copyAlignment);
  }
  if (a.image !== undefined) out.image = { id: a.image.id, type: "Image" };
  if (a.creditsAvailable !== undefined) out.creditsAvailable = a.creditsAvailable;
  return out;
}

function copyAlignment(a: AlignmentInput): Alignment {
  const out: Alignment = { type: ["Alignment"], targetName: a.targetName, targetUrl: a.targetUrl };
  if (a.targetDescription !== undefined) out.targetDescription = a.targetDescription;
  if (a.targetFramework !== undefined) out.targetFramework = a.targetFramework;
  if (a.targetCode !== undefined) out.targetCode = a.targetCode;
  if (a.targetType !== undefined) out.targetType = a.targetType;
  return out;
}

function checkText(value: unknown, path: string): asserts value is string {
  if (typeof value !== "string" || value.trim() === "") invalid(path, "is not a non-empty string");
}

function checkUri(value: unknown, path: string): asserts value is string {
  if (value === undefined) missing(path);
  if (typeof value !== "string" || !URI.test(value)) invalid(path, "is not an absolute URI");
}

function checkDid(value: unknown, path: string): asserts value is string {
  if (typeof value !== "string" || !DID.test(value)) invalid(path, "is not a DID");
}

function checkCredits(value: unknown, path: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) invalid(path, "is not a number >= 0");
}

function checkVocabulary(value: unknown, vocabulary: readonly string[], path: string): void {
  if (typeof value !== "string" || !(vocabulary.includes(value) || EXTENSION.test(value))) {
    invalid(path, "is neither a term of the Open Badges 3.0 vocabulary nor an ext: extension");
  }
}

// RFC 3339 date-time with a real calendar date (Date.parse would roll 2024-02-30 over into March).
function checkDateTime(value: unknown, path: string): number {
  if (value === undefined) missing(path);
  const m = typeof value === "string" ? DATE_TIME.exec(value) : null;
  if (m === null) invalid(path, "is not an RFC 3339 date-time");
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  const offsetOk = m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    invalid(path, "is not a calendar date and time");
  }
  if (!offsetOk) invalid(path, "has an impossible time zone offset");
  return Date.parse(value as string);
}

function rethrowAsInvalid<T>(code: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof LerError && e.code === code) {
      invalid(String(e.details?.field ?? ""), e.message.replace(/^\S+ /, "").replace(/\.$/, ""), e);
    }
    throw e;
  }
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function missing(path: string, why = "is missing"): never {
  throw new LerError("missing_field", `${path} ${why}.`, { details: { path } });
}

function invalid(path: string, why: string, cause?: unknown): never {
  const message = path === "" ? `The credential ${why}.` : `${path} ${why}.`;
  throw new LerError(
    "invalid_field",
    message,
    cause === undefined ? { details: { path } } : { details: { path }, cause },
  );
}
