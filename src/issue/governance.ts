import { id, ZeroAddress, ZeroHash, type Contract } from "ethers";
import { ChainError, LerError, UsageError } from "../errors.js";
import { readBlock } from "../chain/blocks.js";
import { signAccreditationConsent } from "../chain/signedCall.js";
import { registries, sendWrite, type WriteResult } from "../chain/writes.js";
import {
  AccreditationStatus,
  linkView,
  NO_END,
  ROLE_ACCREDITOR,
  ROLE_ISSUER,
  roleNames,
  scopeTypeIds,
} from "../verify/trust.js";
import { changedTerms, latestMetadata, readHistory, termsOf, typeIdsOf, typeNamesById } from "./accreditation.js";
import type { IdentityKeys, IssuerDeps } from "./deps.js";
import { addressOf } from "./issue.js";
import type {
  AccreditArgs,
  AccreditationChangeArgs,
  AccreditationConsent,
  AccreditationConsentArgs,
  AccreditationRole,
  AddRootArgs,
  RegisterTypeArgs,
  RevokeAccreditationArgs,
  UpdateAccreditationArgs,
  UpdateAccreditationResult,
} from "./types.js";

/**
 * Governance and accreditation writes: registering types and roots, accrediting (with the subject's consent),
 * updating, suspending, reinstating and revoking accreditations; and the trust chain as it reads now. A refusal by
 * the registry comes back in words.
 */

const ROLE_BITS: Record<AccreditationRole, number> = {
  issuer: ROLE_ISSUER,
  accreditor: ROLE_ACCREDITOR,
  both: ROLE_ISSUER | ROLE_ACCREDITOR,
};

export const STATUS_NAMES = ["none", "active", "suspended", "revoked"] as const;

export async function registerType(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: RegisterTypeArgs,
): Promise<{ typeId: number; tx: WriteResult }> {
  const { trust } = await registriesAs(deps, keys, args.governor);
  const tx = await send(deps, keys, trust, "registerType", [args.name], { actor: args.governor });
  const typeId = Number((await typeIdsOf(deps.network, [args.name])).get(args.name));
  return { typeId, tx };
}

export async function addRoot(deps: IssuerDeps, keys: IdentityKeys, args: AddRootArgs): Promise<WriteResult> {
  const { trust } = await registriesAs(deps, keys, args.governor);
  const scope = await scopeOf(deps, args.types);
  return send(
    deps,
    keys,
    trust,
    "addRoot",
    [
      addressOf(args.root),
      scope,
      args.validFrom ?? 0,
      args.validUntil ?? NO_END,
      args.metadataURI ?? "",
      args.metadataHash ?? ZeroHash,
    ],
    { actor: args.governor, subject: args.root },
  );
}

/**
 * Accredits a subject with its consent: the signature given (`consent` and its `deadline`), or, when this agent
 * holds the subject's key, one its owner key signs here. The accreditor's owner sends the transaction.
 */
export async function accredit(deps: IssuerDeps, keys: IdentityKeys, args: AccreditArgs): Promise<WriteResult> {
  const signer = await keys.ownerSigner(await keys.identifier(args.accreditor));
  const { trust } = registries(deps.network.deployment, signer);
  const terms = await consentTerms(deps, args);
  let consent: string;
  let deadline: number;
  if (args.consent !== undefined) {
    if (args.deadline === undefined)
      throw new UsageError(
        "missing_deadline",
        "A consent signature comes with the deadline it was signed with: give it too.",
      );
    if (!/^0x([0-9a-fA-F]{2})*$/.test(args.consent))
      throw new UsageError("invalid_consent", "A consent is a hex signature (0x…).");
    consent = args.consent;
    deadline = args.deadline;
  } else {
    const own = await keys.ownIdentifier(terms.subject);
    if (own === undefined) {
      throw new LerError(
        "consent_required",
        `${labelWith(await keys.labels(), terms.subject, deps.network.name)} is not an identity of this key store: its owner must consent to being accredited. ` +
          "Ask it for a consent to these terms (`ler id consent`) and pass it with its deadline.",
      );
    }
    const owner = await keys.ownerSigner(own, { fund: false });
    deadline = args.deadline ?? (await chainNow(deps)) + 3600;
    // The subject's owner sending the call itself consents by sending it.
    consent =
      owner.address === (await signer.getAddress())
        ? "0x"
        : await signAccreditationConsent(owner, {
            verifyingContract: trustAddress(deps),
            chainId: deps.network.chainId,
            terms: { ...terms, deadline },
          });
  }
  return send(
    deps,
    keys,
    trust,
    "accredit",
    [
      terms.parent,
      terms.subject,
      terms.role,
      terms.scope,
      terms.validFrom,
      terms.validUntil,
      args.metadataURI ?? "",
      terms.metadataHash,
      deadline,
      consent,
    ],
    { actor: args.accreditor, subject: args.subject },
  );
}

/** The subject's side: its owner key signs its consent to being accredited on these terms. Nothing is sent. */
export async function signConsent(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: AccreditationConsentArgs,
): Promise<AccreditationConsent> {
  const terms = await consentTerms(deps, args);
  const own = await keys.ownIdentifier(terms.subject);
  if (own === undefined)
    throw new LerError("unknown_identity", `This agent holds no key for ${args.subject}: only its owner can consent.`);
  const owner = await keys.ownerSigner(own, { fund: false });
  const deadline = args.deadline ?? (await chainNow(deps)) + 7 * 24 * 3600;
  const consent = await signAccreditationConsent(owner, {
    verifyingContract: trustAddress(deps),
    chainId: deps.network.chainId,
    terms: { ...terms, deadline },
  });
  return {
    consent,
    deadline,
    terms: {
      accreditor: `did:ethr:${deps.network.name}:${terms.parent}`,
      subject: own.did,
      role: args.role,
      types: [...args.types],
      scope: terms.scope.toString(),
      validFrom: terms.validFrom,
      validUntil: terms.validUntil,
      metadataHash: terms.metadataHash,
    },
    chainId: deps.network.chainId,
    verifyingContract: trustAddress(deps),
  };
}

/** The terms of `accredit` (and of the subject's consent to it), defaults filled in. */
async function consentTerms(
  deps: IssuerDeps,
  args: {
    accreditor: string;
    subject: string;
    role: AccreditationRole;
    types: readonly string[];
    validFrom?: number;
    validUntil?: number;
    metadataHash?: string;
  },
) {
  return {
    parent: addressOf(args.accreditor),
    subject: addressOf(args.subject),
    role: roleBits(args.role),
    scope: await scopeOf(deps, args.types),
    validFrom: args.validFrom ?? 0,
    validUntil: args.validUntil ?? NO_END,
    metadataHash: (args.metadataHash ?? ZeroHash).toLowerCase(),
  };
}

/**
 * Changes only what is given: the current version and metadata are read first and the rest is kept. A change that
 * changes nothing is refused (`nothing_to_change`) before anything is sent.
 */
export async function updateAccreditation(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: UpdateAccreditationArgs,
): Promise<UpdateAccreditationResult> {
  const { trust } = await registriesAs(deps, keys, args.accreditor);
  const subject = addressOf(args.subject);
  const [history, meta, names] = await Promise.all([
    readHistory(deps.network, subject),
    latestMetadata(deps.network, subject),
    typeNamesById(deps.network),
  ]);
  // The subject's link comes first; its latest version is its accreditation now (`accreditationOf`).
  const versions = history[0]?.versions ?? [];
  const current = versions[versions.length - 1];
  if (current === undefined || current.status === AccreditationStatus.None) {
    throw new LerError("not_accredited", `${await label(deps, keys, subject)} has no accreditation to update.`);
  }
  const was = {
    role: current.role,
    scope: current.scope,
    validFrom: current.validFrom,
    validUntil: current.validUntil,
  };
  const next = {
    role: args.role === undefined ? was.role : roleBits(args.role),
    scope: args.types === undefined ? was.scope : await scopeOf(deps, args.types),
    validFrom: args.validFrom === undefined ? was.validFrom : BigInt(args.validFrom),
    validUntil: args.validUntil === undefined ? was.validUntil : BigInt(args.validUntil),
  };
  const nextMeta = {
    metadataURI: args.metadataURI ?? meta.metadataURI,
    metadataHash: args.metadataHash ?? meta.metadataHash,
  };
  const before = termsOf(was, meta, names);
  const after = termsOf(next, nextMeta, names);
  const changes = changedTerms(before, after);
  if (Object.keys(changes).length === 0) {
    throw new UsageError(
      "nothing_to_change",
      `The update changes nothing: ${await label(deps, keys, subject)} already has these terms. Nothing was sent.`,
    );
  }
  const tx = await send(
    deps,
    keys,
    trust,
    "update",
    [
      subject,
      next.role,
      next.scope,
      next.validFrom,
      next.validUntil,
      args.reason ?? 0,
      nextMeta.metadataURI,
      nextMeta.metadataHash,
    ],
    { actor: args.accreditor, subject },
  );
  return { tx, before, after, changes };
}

/** `suspend` or `reinstate` an accreditation, as its parent (or an ancestor, or governance). */
export async function changeAccreditation(
  deps: IssuerDeps,
  keys: IdentityKeys,
  fn: "suspend" | "reinstate",
  args: AccreditationChangeArgs,
): Promise<WriteResult> {
  const { trust } = await registriesAs(deps, keys, args.accreditor);
  return send(deps, keys, trust, fn, [addressOf(args.subject), args.reason ?? 0], {
    actor: args.accreditor,
    subject: args.subject,
  });
}

/** Revokes an accreditation from `effectiveAt` (default the chain's now). */
export async function revokeAccreditation(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: RevokeAccreditationArgs,
): Promise<WriteResult> {
  const { trust } = await registriesAs(deps, keys, args.accreditor);
  const effectiveAt = args.effectiveAt ?? (await chainNow(deps));
  return send(deps, keys, trust, "revoke", [addressOf(args.subject), effectiveAt, args.reason ?? 0], {
    actor: args.accreditor,
    subject: args.subject,
  });
}

/** The chain as it stood at `at` (default now): each link's version then, and its status now when that differs. */
export async function trustChain(deps: Pick<IssuerDeps, "network">, args: { did: string; at?: number }) {
  const [links, names] = await Promise.all([
    readHistory(deps.network, addressOf(args.did)),
    typeNamesById(deps.network),
  ]);
  return links.map((link) => {
    const { address, scope, ...view } = linkView(link, args.at === undefined ? undefined : BigInt(args.at));
    return {
      address,
      did: `did:ethr:${deps.network.name}:${address}`,
      ...view,
      scope: scope.map((id) => namedType(id, names)),
    };
  });
}

/** Every version of every link of an identity's chain, subject first, oldest version first. */
export async function accreditationHistory(deps: Pick<IssuerDeps, "network">, args: { did: string }) {
  const [links, names] = await Promise.all([
    readHistory(deps.network, addressOf(args.did)),
    typeNamesById(deps.network),
  ]);
  return links.map((link) => ({
    address: link.subject,
    did: `did:ethr:${deps.network.name}:${link.subject}`,
    parent: link.parent === ZeroAddress ? null : link.parent,
    versions: link.versions.map((v) => ({
      since: Number(v.since),
      role: roleNames(v.role),
      status: STATUS_NAMES[v.status] ?? "none",
      reason: v.reason,
      validFrom: Number(v.validFrom),
      validUntil: v.validUntil >= BigInt(NO_END) ? null : Number(v.validUntil),
      scope: scopeTypeIds(v.scope).map((id) => namedType(id, names)),
    })),
  }));
}

// ---- helpers ---------------------------------------------------------------------------------------------------

/** The registries bound to the owner key of this agent's identity `didOrAlias`. */
async function registriesAs(deps: IssuerDeps, keys: IdentityKeys, didOrAlias: string) {
  return registries(deps.network.deployment, await keys.ownerSigner(await keys.identifier(didOrAlias)));
}

function trustAddress(deps: IssuerDeps): string {
  return deps.network.deployment.contracts.TrustRegistry.address;
}

/** The chain's latest block time (the clock when the node has no latest block). */
async function chainNow(deps: IssuerDeps): Promise<number> {
  return (await readBlock(deps.network.provider, { blockTag: "latest" }))?.timestamp ?? deps.now();
}

/** The scope bitmap of type names, read in one request; a name that is not registered is refused. */
async function scopeOf(deps: IssuerDeps, types: readonly string[]): Promise<bigint> {
  if (types.length === 0) throw new LerError("empty_scope", "Name at least one credential type.");
  const ids = await typeIdsOf(deps.network, types);
  const unknown = types.filter((t) => ids.get(t) === undefined);
  if (unknown.length > 0) {
    throw new LerError(
      "unknown_type_name",
      `${unknown.map((t) => `"${t}"`).join(", ")} ${unknown.length === 1 ? "is not a registered credential type" : "are not registered credential types"}.`,
      {
        details: { unknown },
      },
    );
  }
  return types.reduce((scope, t) => scope | (1n << BigInt(ids.get(t)!)), 0n);
}

function roleBits(role: AccreditationRole): number {
  const bits = ROLE_BITS[role];
  if (bits === undefined) throw new LerError("invalid_role", `Role is issuer, accreditor or both, not "${role}".`);
  return bits;
}

function namedType(id: number, names: ReadonlyMap<number, string>): { id: number; name?: string } {
  const name = names.get(id);
  return name === undefined ? { id } : { id, name };
}

/** `did:ethr:<network>:0x… (alias)`, or the DID alone. */
export function labelWith(labels: ReadonlyMap<string, string>, address: string, network: string): string {
  const alias = labels.get(address);
  return `did:ethr:${network}:${address}${alias === undefined ? "" : ` (${alias})`}`;
}

async function label(deps: IssuerDeps, keys: IdentityKeys, address: string): Promise<string> {
  return labelWith(await keys.labels(), address, deps.network.name);
}

/**
 * Sends a registry write; a refusal comes back in words: types by name, identities by DID and alias, the role an
 * actor lacks, times as dates. The code is the one `sendWrite` gave (the contract error's, e.g. `scope_not_subset`).
 */
async function send(
  deps: IssuerDeps,
  keys: IdentityKeys,
  contract: Contract,
  fn: string,
  args: readonly unknown[],
  who: { actor: string; subject?: string },
): Promise<WriteResult> {
  try {
    return await sendWrite(contract, fn, args, deps.writeOptions);
  } catch (e) {
    if (!(e instanceof LerError) || e instanceof ChainError) throw e;
    const error = e.details?.error;
    if (typeof error !== "string") throw e;
    const words = await errorWords(deps, keys, error, (e.details?.args ?? []) as unknown[], fn, who).catch(
      () => undefined,
    );
    if (words === undefined) throw e;
    throw new LerError(e.code, words, { details: e.details ?? {}, cause: e });
  }
}

async function errorWords(
  deps: IssuerDeps,
  keys: IdentityKeys,
  error: string,
  args: unknown[],
  fn: string,
  who: { actor: string; subject?: string },
): Promise<string | undefined> {
  const labels = await keys.labels();
  const name = (a: unknown) => labelWith(labels, addressOf(String(a)), deps.network.name);
  const actor = name(addressOf(who.actor));
  const subject = who.subject === undefined ? undefined : name(addressOf(who.subject));
  const types = async (scope: bigint) => {
    const names = await typeNamesById(deps.network);
    return (
      scopeTypeIds(scope)
        .map((id) => names.get(id) ?? `#${id}`)
        .join(", ") || "no type"
    );
  };
  const when = (t: unknown) => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
  switch (error) {
    case "TrustRegistryScopeNotSubset": {
      const [s, scope, parentScope] = [args[0], BigInt(String(args[1])), BigInt(String(args[2]))];
      return `${fn} was refused: the scope of ${name(s)} may not include ${await types(scope & ~parentScope)}, which its accreditor is not accredited for (it holds ${await types(parentScope)}).`;
    }
    case "TrustRegistryUnauthorized":
      return `${actor} may not change the accreditation of ${name(args[1])}: only its accreditor in force, an ancestor in force, or governance may.`;
    case "AccessControlUnauthorizedAccount":
      return `${actor} may not ${fn === "registerType" ? "register credential types" : fn === "addRoot" ? "add root authorities" : `call ${fn}`}: it lacks the ${roleName(String(args[1]))} role of the trust registry.`;
    case "TrustRegistryNotAccreditor":
      return `${name(args[0])} may not accredit now: its accreditation is not active, not in its validity window, or lacks the accreditor role.`;
    case "TrustRegistryNoConsent":
      return `${name(args[0])} did not consent to these terms: the consent must be its owner's signature over exactly this accreditor, role, types, validity, metadata hash and deadline.`;
    case "TrustRegistryConsentExpired":
      return `The subject's consent expired at ${when(args[0])}: ask it for a new one.`;
    case "TrustRegistryInvalidEffectiveTime":
      return `A revocation cannot take effect at ${when(args[0])}: it must not lie in the future, and for an accreditation already revoked it must be earlier than its current effective time (the bound is ${when(args[1])}).`;
    case "TrustRegistryAlreadyAccredited":
      return `${name(args[0])} holds an accreditation already (or held one that was revoked): a subject is accredited once.`;
    case "TrustRegistryNotAccredited":
      return `${name(args[0])} has no accreditation.`;
    case "TrustRegistryInvalidStatus":
      return `${fn} was refused: the accreditation of ${name(args[0])} is ${STATUS_NAMES[Number(args[1])] ?? "in another state"}.`;
    case "TrustRegistryUnknownType":
      return `${fn} was refused: the scope names types that are not registered.`;
    case "TrustRegistryInvalidValidity":
      return `${fn} was refused: the end of validity (${when(args[1])}) is not after its start (${when(args[0])}).`;
    case "TrustRegistryCycle":
      return `${subject ?? name(args[1])} is ${actor} or above it: accrediting it would close a cycle.`;
    default:
      return undefined;
  }
}

/** An AccessControl role by name, not by hash. */
function roleName(hash: string): string {
  if (hash === ZeroHash) return "DEFAULT_ADMIN_ROLE (registry administrator)";
  if (hash.toLowerCase() === id("GOVERNOR_ROLE")) return "GOVERNOR_ROLE (governance)";
  return hash;
}
