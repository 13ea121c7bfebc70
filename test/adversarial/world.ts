// The scenario the adversarial suites attack: a chain with registries, an accreditation forest in every state a
// verifier must tell apart (suspended, revoked in the past, expired, not yet valid, narrowed, under an untrusted
// root), issuers with rotated, deactivated and delegated keys, and credentials revoked, suspended and revoked by
// hash. Every actor has a fixed key (see roleWallet), so tokens can be forged byte by byte.
// A helper module shared by the library suite and (later) the CLI suite: importing it has no side effects.
import { Contract, encodeBytes32String, type JsonRpcApiProvider, parseEther, type Wallet } from "ethers";
import { transformCredentialInput } from "did-jwt-vc";
import {
  achievement,
  anchorBatch,
  clrCredential,
  openBadgeCredential,
  statusEntry,
  type Achievement,
  type AchievementType,
  type IssuanceAnchorProof,
} from "../../src/credentials/index.js";
import { didRegistryArtifact, projectArtifact } from "../../src/chain/artifacts.js";
import { signAccreditationConsent } from "../../src/chain/signedCall.js";
import type { LerAgent } from "../../src/agent/agent.js";
import { createAgentWorld, type AgentWorld, type Transport } from "../helpers/world.js";
import { asVc11 } from "../helpers/vc11.js";
import { joseCredentialPayload, secp256k1Jwk } from "../../src/credentials/jose.js";
import { secp256k1 } from "@noble/curves/secp256k1";
import { roleWallet, signJwt, type Alg } from "./jws.js";

/** Every actor of the scenario. Identities the agent holds are imported with these keys. */
export const ROLES = [
  "root",
  "root2",
  "accreditor",
  "accSuspended",
  "accRevoked",
  "accNarrowed",
  "university",
  "bootcamp",
  "never",
  "accOnly",
  "expiring",
  "notYet",
  "mill",
  "suspended",
  "underSuspended",
  "underRevoked",
  "underNarrowed",
  "underRoot2",
  "rotated",
  "deactivated",
  "ada",
  "grace",
  "mallory",
] as const;
export type Role = (typeof ROLES)[number];

/** Keys that are not identities: delegates and attribute keys of the university. */
export const SIDE_KEYS = [
  "delegateExpired",
  "delegateWrongType",
  "delegateRevoked",
  "delegateValid",
  "encKey",
] as const;
export type SideKey = (typeof SIDE_KEYS)[number];

/** The types governance registers. "License" is a valid Open Badges achievementType that is not registered. */
export const REGISTERED_TYPES = ["Degree", "Course", "Certificate", "Competency"] as const;

/** The list crafted credentials take their status entries from (the agent's allocator uses list 0). */
export const CRAFTED_LIST = 5;

export interface CredentialOptions {
  /** Whose DID goes into `iss` and the issuer profile. */
  issuer: Role;
  /** Whose key signs (a role, a side key, or a wallet); default the issuer's. */
  signer?: Role | SideKey | Wallet;
  /** Default ada. */
  subject?: Role | string;
  /** Achievement types; one gives an OpenBadgeCredential, several a ClrCredential. Default ["Degree"]. */
  types?: readonly AchievementType[];
  /** JWT nbf / exp (seconds). Default nbf: an hour before the scenario's now; no exp. */
  nbf?: number;
  exp?: number;
  /** false: no credentialStatus. Default: a fresh, never-set entry in CRAFTED_LIST of the issuer. */
  status?: false | { chainId?: number; registry?: string; issuer?: Role; list?: number; index?: number };
  alg?: Alg;
}

export interface AdversarialWorld {
  base: AgentWorld;
  agent: LerAgent;
  /** The DID network name and chain id verifiers check against. */
  networkName: string;
  chainId: number;
  /** StatusRegistry address. */
  registry: string;
  wallets: Record<Role | SideKey, Wallet>;
  dids: Record<Role, string>;
  /** The verification time every case uses (the chain's clock at the end of the setup). */
  now: number;
  /** Times of the scenario's events (seconds). */
  times: { setup: number; millEarlyAnchor: number; millRevokedFrom: number; millLateAnchor: number };
  /** Tokens the setup made (those that needed chain writes). */
  tokens: {
    /** University -> ada, anchored, untouched. */
    uniForAda: string;
    /** University -> grace, anchored, untouched. */
    uniForGrace: string;
    revoked: string;
    suspended: string;
    /** No status entry; revoked by its hash. ES256K and ES256K-R forms. */
    hashRevoked: string;
    hashRevokedR: string;
    /** Mill's credential anchored before its revocation's effective time (valid), and one anchored after. */
    millEarly: string;
    millLate: string;
    /** Rotated issuer: anchored before the rotation, signed by the former key (valid). */
    rotatedAnchoredBefore: string;
    /** Expiring issuer: anchored after its accreditation ended. */
    expiringAnchoredAfter: string;
  };
  /** Payloads whose Merkle roots the setup anchored. */
  anchors: {
    /** A root of the mill's batch that the university (not the mill) anchored before the mill's revocation. */
    millRootByUniversity: { payload: Record<string, unknown>; anchor: IssuanceAnchorProof };
    /** A root the rotated issuer anchored before its rotation (for a credential that is not in it). */
    rotatedRoot: IssuanceAnchorProof;
    /** A root the university anchored (a batch of two), with both payloads. */
    universityPair: { payloads: Record<string, unknown>[]; anchors: IssuanceAnchorProof[] };
  };
  /** A credential's JWT payload (not signed), built as the agent builds them. */
  payload: (options: CredentialOptions) => Record<string, unknown>;
  /** A signed credential: `payload(options)` changed by `edit`, then signed. */
  credential: (options: CredentialOptions, edit?: (payload: Record<string, unknown>) => void) => string;
  /** The VC-JOSE payload of a credential (VC 2.0, the credential is the payload), as the agent issues. */
  josePayload: (options: CredentialOptions) => Record<string, unknown>;
  /**
   * A VC-JOSE credential: `josePayload(options)` changed by `edit`, signed with Open Badges 3.0's header (`typ` JWT,
   * the signing key as `jwk`) unless `options.header` gives another.
   */
  joseCredential: (
    options: CredentialOptions & { header?: Record<string, unknown> },
    edit?: (payload: Record<string, unknown>) => void,
  ) => string;
  /** A signed presentation by `holder` (default ada) of `credentials`. */
  presentation: (options: PresentationOptions, edit?: (payload: Record<string, unknown>) => void) => string;
  close: () => Promise<void>;
}

export interface PresentationOptions {
  holder?: Role;
  signer?: Role | SideKey | Wallet;
  credentials: readonly unknown[];
  nonce?: string;
  aud?: string | string[];
  nbf?: number;
  exp?: number;
}

/** The challenge and domain every presentation case is verified with. */
export const CHALLENGE = "challenge-4f1c7a";
export const DOMAIN = "employer.example";

const FOREVER = 2 ** 40 - 1;
const NO_METADATA = `0x${"00".repeat(32)}`;

function achievementOf(type: AchievementType, n: number): Achievement {
  return achievement({
    id: `https://adversarial.example/achievements/${type.replace(/[^A-Za-z0-9]/g, "")}/${n}`,
    name: `${type} in Adversarial Studies`,
    description: `A ${type} used by the adversarial suite.`,
    criteria: { narrative: "Passed every test." },
    achievementType: type,
  });
}

/** A urn:uuid that depends only on a counter: runs are reproducible. */
function uuid(n: number): string {
  const hex = n.toString(16).padStart(32, "0");
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/**
 * Builds the scenario on a fresh chain (in process by default; over JSON-RPC for suites that drive a separate
 * process). Takes a few seconds.
 */
export async function createAdversarialWorld(transport: Transport = "in-process"): Promise<AdversarialWorld> {
  const base = await createAgentWorld(transport);
  const { agent } = base;
  const provider = base.network.provider as JsonRpcApiProvider;
  const networkName = base.network.name;
  const chainId = base.network.chainId;
  const registry = base.network.deployment.contracts.StatusRegistry.address;
  const funder = await provider.getSigner(0);

  const wallets = Object.fromEntries(
    [...ROLES, ...SIDE_KEYS].map((r) => [r, roleWallet(r).connect(provider)]),
  ) as Record<Role | SideKey, Wallet>;
  const dids = Object.fromEntries(ROLES.map((r) => [r, `did:ethr:${networkName}:${wallets[r].address}`])) as Record<
    Role,
    string
  >;
  for (const role of ROLES) {
    if (role === "mallory") continue; // the attacker's key is nowhere in the agent
    await agent.lerImportIdentity({ alias: role, privateKeyHex: wallets[role].privateKey });
  }

  const chainNow = async () => base.now();
  const g = base.governor;
  for (const name of REGISTERED_TYPES) await agent.lerRegisterType({ governor: g, name });
  const all = [...REGISTERED_TYPES];
  await agent.lerAddRoot({ governor: g, root: dids.root, types: all });
  await agent.lerAddRoot({ governor: g, root: dids.root2, types: all });
  // Every accreditation needs its subject's consent: the accreditor's key sends it, the subject's key signs the terms
  // (EIP-712), as the contract requires. Accreditors pay for their own transactions.
  const trust = new Contract(
    base.network.deployment.contracts.TrustRegistry.address,
    projectArtifact("TrustRegistry").abi,
    provider,
  );
  const typeIds = new Map<string, bigint>();
  for (const name of REGISTERED_TYPES) typeIds.set(name, BigInt(await trust.getFunction("typeIdOf")(name)));
  const funded = new Set<string>();
  const ROLE_BITS = { issuer: 1, accreditor: 2, both: 3 } as const;
  const accredit = async (
    accreditor: Role,
    subject: Role,
    role: "issuer" | "accreditor" | "both",
    types: string[],
    extra: { validFrom?: number; validUntil?: number } = {},
  ) => {
    const by = wallets[accreditor];
    if (!funded.has(accreditor)) {
      await (await funder.sendTransaction({ to: by.address, value: parseEther("1") })).wait();
      funded.add(accreditor);
    }
    const scope = types.reduce((s, t) => s | (1n << typeIds.get(t)!), 0n);
    const terms = {
      parent: by.address,
      subject: wallets[subject].address,
      role: ROLE_BITS[role],
      scope,
      validFrom: extra.validFrom ?? 0,
      validUntil: extra.validUntil ?? FOREVER,
      metadataHash: NO_METADATA,
      deadline: 2n ** 40n,
    };
    const consent = await signAccreditationConsent(wallets[subject], {
      verifyingContract: await trust.getAddress(),
      chainId,
      terms,
    });
    const tx = await (trust.connect(by) as Contract).getFunction("accredit")(
      terms.parent,
      terms.subject,
      terms.role,
      terms.scope,
      terms.validFrom,
      terms.validUntil,
      "",
      NO_METADATA,
      terms.deadline,
      consent,
    );
    await tx.wait();
  };
  await accredit("root", "accreditor", "accreditor", all);
  for (const a of ["accSuspended", "accRevoked", "accNarrowed"] as const)
    await accredit("root", a, "accreditor", ["Degree", "Course"]);
  await accredit("accreditor", "university", "issuer", ["Degree", "Course"]);
  await accredit("accreditor", "bootcamp", "issuer", ["Certificate", "Competency"]);
  await accredit("accreditor", "accOnly", "accreditor", ["Degree"]);
  const t0 = await chainNow();
  await accredit("accreditor", "expiring", "issuer", ["Degree"], { validUntil: t0 + 1000 });
  await accredit("accreditor", "notYet", "issuer", ["Degree"], { validFrom: t0 + 10_000_000, validUntil: FOREVER });
  for (const i of ["mill", "suspended", "rotated", "deactivated"] as const)
    await accredit("accreditor", i, "issuer", ["Degree"]);
  await accredit("accSuspended", "underSuspended", "issuer", ["Degree"]);
  await accredit("accRevoked", "underRevoked", "issuer", ["Degree"]);
  await accredit("accNarrowed", "underNarrowed", "issuer", ["Degree"]);
  await accredit("root2", "underRoot2", "issuer", ["Degree"]);
  await agent.lerSuspendAccreditation({ accreditor: dids.root, subject: dids.accSuspended, reason: 1 });
  await agent.lerSuspendAccreditation({ accreditor: dids.accreditor, subject: dids.suspended, reason: 1 });
  await agent.lerRevokeAccreditation({ accreditor: dids.root, subject: dids.accRevoked, reason: 2 });
  // The accreditor keeps its accreditation but loses Degree: its subtree loses Degree with it, lazily.
  await agent.lerUpdateAccreditation({
    accreditor: dids.root,
    subject: dids.accNarrowed,
    role: "accreditor",
    types: ["Course"],
  });

  const setup = await chainNow();
  let counter = 0;
  const keyOf = (who: Role | SideKey | Wallet): Wallet => (typeof who === "string" ? wallets[who] : who);
  const payload = (o: CredentialOptions): Record<string, unknown> =>
    // The VC 1.1 form in a `vc` claim, as other tools issue: still read (the VC-JOSE form is josePayload's).
    transformCredentialInput(structuredClone(asVc11(built(o))) as never) as unknown as Record<string, unknown>;
  const josePayload = (o: CredentialOptions): Record<string, unknown> =>
    joseCredentialPayload(built(o) as unknown as Record<string, unknown>);
  const built = (o: CredentialOptions) => {
    const n = ++counter;
    const types = o.types ?? ["Degree"];
    const subjectDid =
      o.subject === undefined
        ? dids.ada
        : (ROLES as readonly string[]).includes(o.subject)
          ? dids[o.subject as Role]
          : o.subject;
    const issuerDid = dids[o.issuer];
    const status =
      o.status === false
        ? undefined
        : statusEntry({
            chainId: o.status?.chainId ?? chainId,
            registry: o.status?.registry ?? registry,
            issuer: wallets[o.status?.issuer ?? o.issuer].address,
            list: o.status?.list ?? CRAFTED_LIST,
            index: o.status?.index ?? n,
          });
    const common = {
      id: uuid(n),
      issuer: { id: issuerDid, name: `The ${o.issuer} institution` },
      subject: { id: subjectDid },
      issuedAt: new Date((o.nbf ?? setup - 3600) * 1000),
      ...(o.exp !== undefined && { validUntil: new Date(o.exp * 1000) }),
      ...(status !== undefined && { status }),
    };
    return types.length === 1
      ? openBadgeCredential({ ...common, achievement: achievementOf(types[0]!, n) })
      : clrCredential({ ...common, achievements: types.map((t, i) => achievementOf(t, n * 100 + i)) });
  };
  const joseCredential = (
    o: CredentialOptions & { header?: Record<string, unknown> },
    edit?: (p: Record<string, unknown>) => void,
  ): string => {
    const p = josePayload(o);
    edit?.(p);
    const key = keyOf(o.signer ?? o.issuer);
    const alg = o.alg ?? "ES256K";
    const point = secp256k1.ProjectivePoint.fromHex(key.signingKey.publicKey.slice(2)).toRawBytes(false);
    return signJwt(p, key, { alg, header: o.header ?? { alg, typ: "JWT", jwk: secp256k1Jwk(point) } });
  };
  const credential = (o: CredentialOptions, edit?: (p: Record<string, unknown>) => void): string => {
    const p = payload(o);
    edit?.(p);
    return signJwt(p, keyOf(o.signer ?? o.issuer), { alg: o.alg ?? "ES256K" });
  };
  const presentation = (o: PresentationOptions, edit?: (p: Record<string, unknown>) => void): string => {
    const holder = o.holder ?? "ada";
    const p: Record<string, unknown> = {
      iss: dids[holder],
      nonce: o.nonce ?? CHALLENGE,
      aud: o.aud ?? DOMAIN,
      nbf: o.nbf ?? setup - 60,
      ...(o.exp !== undefined && { exp: o.exp }),
      vp: {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        type: ["VerifiablePresentation"],
        verifiableCredential: [...o.credentials],
      },
    };
    edit?.(p);
    return signJwt(p, keyOf(o.signer ?? holder));
  };
  /** Signs `payloads` as one anchored batch of `issuer` (anchored by `anchorer`, default the issuer). */
  const anchoredBatch = async (issuer: Role, payloads: Record<string, unknown>[], anchorer: Role = issuer) => {
    const { root, anchors } = anchorBatch(payloads, { chainId, registry });
    await agent.lerAnchor({ issuer: dids[anchorer], root });
    return {
      tokens: payloads.map((p, i) => signJwt({ ...p, issuanceAnchor: anchors[i] }, wallets[issuer])),
      anchors,
      root,
    };
  };

  // Credentials issued by the agent itself, then revoked and suspended.
  const degree = achievementOf("Degree", 0);
  const issue = async (subject: Role) =>
    (
      await agent.lerIssueCredentials({
        issuer: dids.university,
        credentials: [{ subject: dids[subject], achievement: degree }],
      })
    ).credentials[0]!;
  const uniForAda = (await issue("ada")).jwt;
  const uniForGrace = (await issue("grace")).jwt;
  const revoked = await issue("ada");
  const suspended = await issue("ada");
  await agent.lerRevoke({ issuer: dids.university, entries: [{ list: revoked.list, index: revoked.index }] });
  await agent.lerSuspend({ issuer: dids.university, entries: [{ list: suspended.list, index: suspended.index }] });
  const hashRevoked = credential({ issuer: "university", status: false });
  const hashRevokedR = credential({ issuer: "university", status: false, alg: "ES256K-R" });
  await agent.lerRevokeByHash({ issuer: dids.university, credentials: [hashRevoked, hashRevokedR] });

  // A batch of two the university anchored: a proof for one leaf does not fit the other.
  const pair = [payload({ issuer: "university" }), payload({ issuer: "university" })];
  const universityPair = await anchoredBatch("university", pair);

  // The university's keys: delegates (expiring, of a type that signs nothing, revoked, valid) and an enc key.
  const fundWallet = async (w: Wallet) => {
    await (await funder.sendTransaction({ to: w.address, value: parseEther("1") })).wait();
  };
  const didRegistry = (w: Wallet) =>
    new Contract(base.network.deployment.contracts.EthereumDIDRegistry.address, didRegistryArtifact().abi, w);
  const uni = wallets.university;
  await fundWallet(uni);
  const veriKey = encodeBytes32String("veriKey");
  const send = async (w: Wallet, fn: string, args: unknown[]) => (await didRegistry(w).getFunction(fn)(...args)).wait();
  await send(uni, "addDelegate", [uni.address, veriKey, wallets.delegateExpired.address, 500]);
  await send(uni, "addDelegate", [
    uni.address,
    encodeBytes32String("attestor"),
    wallets.delegateWrongType.address,
    10 ** 8,
  ]);
  await send(uni, "addDelegate", [uni.address, veriKey, wallets.delegateRevoked.address, 10 ** 8]);
  await send(uni, "revokeDelegate", [uni.address, veriKey, wallets.delegateRevoked.address]);
  await send(uni, "addDelegate", [uni.address, veriKey, wallets.delegateValid.address, 10 ** 8]);
  await send(uni, "setAttribute", [
    uni.address,
    encodeBytes32String("did/pub/Secp256k1/enc/hex"),
    wallets.encKey.signingKey.compressedPublicKey,
    10 ** 8,
  ]);

  // The rotated issuer anchors a batch, then moves its ownership to a fresh key of the agent.
  const rotatedBatch = await anchoredBatch("rotated", [payload({ issuer: "rotated" })]);
  await agent.lerRotateOwner({ did: dids.rotated });

  // The deactivated issuer sets its owner to the zero address (ethr-did-resolver: deactivated).
  await fundWallet(wallets.deactivated);
  await send(wallets.deactivated, "changeOwner", [
    wallets.deactivated.address,
    "0x0000000000000000000000000000000000000000",
  ]);

  // The mill: a batch anchored early; a batch of its own that the university anchored; later a batch anchored
  // after the time its accreditation is then revoked from (a key compromise found late).
  const millEarly = await anchoredBatch("mill", [payload({ issuer: "mill" })]);
  const millEarlyAnchor = await chainNow();
  const millByUniPayload = payload({ issuer: "mill", nbf: millEarlyAnchor - 60 });
  const millByUni = await anchoredBatch("mill", [millByUniPayload], "university");
  await base.increaseTime(100);
  const millRevokedFrom = (await chainNow()) + 10;
  await base.increaseTime(50);
  const millLate = await anchoredBatch("mill", [payload({ issuer: "mill", nbf: millEarlyAnchor - 60 })]);
  const millLateAnchor = await chainNow();
  await agent.lerRevokeAccreditation({
    accreditor: dids.accreditor,
    subject: dids.mill,
    effectiveAt: millRevokedFrom,
    reason: 9,
  });

  // Time passes: the expiring accreditation and the 500 s delegate end.
  await base.increaseTime(2000);
  const expiringAfter = await anchoredBatch("expiring", [payload({ issuer: "expiring" })]);

  const now = await chainNow();
  return {
    base,
    agent,
    networkName,
    chainId,
    registry,
    wallets,
    dids,
    now,
    times: { setup, millEarlyAnchor, millRevokedFrom, millLateAnchor },
    tokens: {
      uniForAda,
      uniForGrace,
      revoked: revoked.jwt,
      suspended: suspended.jwt,
      hashRevoked,
      hashRevokedR,
      millEarly: millEarly.tokens[0]!,
      millLate: millLate.tokens[0]!,
      rotatedAnchoredBefore: rotatedBatch.tokens[0]!,
      expiringAnchoredAfter: expiringAfter.tokens[0]!,
    },
    anchors: {
      millRootByUniversity: { payload: millByUniPayload, anchor: millByUni.anchors[0]! },
      rotatedRoot: rotatedBatch.anchors[0]!,
      universityPair: { payloads: pair, anchors: universityPair.anchors },
    },
    payload,
    credential,
    josePayload,
    joseCredential,
    presentation,
    close: () => base.close(),
  };
}
