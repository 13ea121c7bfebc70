// Differential property test of the trust rule over random accreditation lifecycles, on a real in-process chain.
//
// Three answers to "was `subject` trusted for type T at time t?" must agree for every question asked:
//   1. the contract's `trustedAt`,
//   2. the verifier's `evaluateTrust` over `historyOf`, decoded as the verifier reads it (src/chain/reads.ts), and
//   3. a MODEL kept here: each link's list of versions, changed as the contract is told to change it, judged by the
//      rule written out in plain code (issue 11), without calling anything of src/verify.
// And the history the contract answers from must equal the model's, and never be rewritten: what a past time was
// answered changes only through the rules that apply now (a suspension now, a revocation effective at or before t).
//
// Seeded: a failure prints the seed and the step; LER_TRUST_SEED=<n> replays one seed, LER_TRUST_STEPS=<n> changes
// the number of steps of the main test. By default the main test takes 2,000 steps (5 seeds) and the past-answers test
// one seed; LER_TEST_DEPTH=deep (`npm run test:deep`) takes 10,000 steps (25 seeds) and two seeds.
import { expect } from "chai";
import { Interface, type Signer } from "ethers";
import { projectArtifact } from "../../src/chain/artifacts.js";
import {
  addressWord,
  decodeAggregate3,
  encodeAggregate3,
  returnWord,
  selectorOf,
  word,
  type SubCall,
} from "../../src/chain/multicall.js";
import { toLinks } from "../../src/chain/snapshotPlan.js";
import { signAccreditationConsent } from "../../src/chain/signedCall.js";
import { evaluateTrust, type ChainLink } from "../../src/verify/trust.js";
import { depth } from "../helpers/depth.js";
import { createRegistryFixture, NO_DEADLINE, NO_HASH, TYPES } from "../helpers/fixture.js";

const { ethers, load } = await createRegistryFixture();
const provider = ethers.provider;

const ZERO = "0x0000000000000000000000000000000000000000";
const FOREVER = 2n ** 40n - 1n;
const ALL_TYPES = (1n << BigInt(TYPES.length)) - 1n;
/** Type ids asked about: every registered one, one not registered, one past MAX_TYPES. */
const TYPE_IDS = [...TYPES.map((_, i) => i), TYPES.length, 112];
/** A time past the registry's 48-bit keys. */
const FAR = 2n ** 48n + 7n;
const GAS = { gasLimit: 1_000_000 };

// Verdicts, as ITrustRegistry.Verdict numbers them.
const TRUSTED = 0;
const NOT_ACCREDITED = 1;
const NOT_ISSUER = 2;
const NOT_ACCREDITOR = 3;
const SUSPENDED = 4;
const REVOKED = 5;
const NOT_YET_VALID = 6;
const EXPIRED = 7;
const OUT_OF_SCOPE = 8;

// ---- the model ------------------------------------------------------------------------------------------------

type Status = "active" | "suspended" | "revoked";
/** One version of a link: what it said from the block time `since`. A revoked version's validUntil is its effective time. */
interface MVersion {
  since: bigint;
  role: number;
  status: Status;
  reason: number;
  validFrom: bigint;
  validUntil: bigint;
  scope: bigint;
}
interface MLink {
  parent: string;
  depth: number;
  versions: MVersion[];
}
interface Answer {
  verdict: number;
  failedAt: string;
  root: string;
}

class Model {
  readonly links = new Map<string, MLink>();

  latest(subject: string): MVersion | undefined {
    return this.links.get(subject)?.versions.at(-1);
  }

  /** A change at block time `at`: a second change in the same block time replaces the first's version. */
  record(subject: string, v: Omit<MVersion, "since">, at: bigint): void {
    const link = this.links.get(subject)!;
    const last = link.versions.at(-1);
    const version = { ...v, since: at };
    if (last !== undefined && last.since === at) link.versions[link.versions.length - 1] = version;
    else link.versions.push(version);
  }

  /** May `subject` accredit at `now`: active now, an accreditor, inside its window. */
  inForce(subject: string, now: bigint): boolean {
    const v = this.latest(subject);
    return v !== undefined && v.status === "active" && (v.role & 2) !== 0 && v.validFrom <= now && now < v.validUntil;
  }

  /** The trust rule, written out: for each link, subject to root, the rules of now, then every version that spoke for t. */
  trusted(subject: string, typeId: number, t: bigint): Answer {
    if (!this.links.has(subject)) return { verdict: NOT_ACCREDITED, failedAt: subject, root: ZERO };
    let current = subject;
    for (let isSubject = true; ; isSubject = false) {
      const link = this.links.get(current)!;
      const fail = (verdict: number): Answer => ({ verdict, failedAt: current, root: ZERO });
      const now = link.versions[link.versions.length - 1]!;
      // Now: a suspension holds everything beneath it; a revocation effective at or before t distrusts t.
      if (now.status === "suspended") return fail(SUSPENDED);
      if (now.status === "revoked" && t >= now.validUntil) return fail(REVOKED);
      // At t: the version in effect then; when a change took effect at t itself, the version before it as well.
      const upToT = link.versions.filter((v) => v.since <= t);
      const spoke: (MVersion | undefined)[] = upToT.length === 0 ? [undefined] : [upToT[upToT.length - 1]];
      if (upToT.length > 0 && upToT[upToT.length - 1]!.since === t) spoke.push(upToT[upToT.length - 2]);
      for (const v of spoke) {
        const verdict = judge(v, isSubject, typeId, t);
        if (verdict !== TRUSTED) return fail(verdict);
      }
      if (link.parent === ZERO) return { verdict: TRUSTED, failedAt: ZERO, root: current };
      current = link.parent;
    }
  }
}

/** What one version says about time t. */
function judge(v: MVersion | undefined, isSubject: boolean, typeId: number, t: bigint): number {
  if (v === undefined) return NOT_YET_VALID; // the link did not exist yet
  if (isSubject && (v.role & 1) === 0) return NOT_ISSUER;
  if (!isSubject && (v.role & 2) === 0) return NOT_ACCREDITOR;
  if (v.status === "suspended") return SUSPENDED;
  if (v.status === "revoked") return REVOKED;
  if (t < v.validFrom) return NOT_YET_VALID;
  if (t >= v.validUntil) return EXPIRED;
  if (typeId >= 112 || ((v.scope >> BigInt(typeId)) & 1n) === 0n) return OUT_OF_SCOPE;
  return TRUSTED;
}

const STATUS_OF: Record<number, Status> = { 1: "active", 2: "suspended", 3: "revoked" };

// ---- a seeded PRNG ----------------------------------------------------------------------------------------------

function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!,
    chance: (p: number) => next() < p,
    /** A non-empty subset of `set` (a non-zero bitmap). */
    subset(set: bigint): bigint {
      const bits = [...Array(TYPES.length).keys()].filter((i) => ((set >> BigInt(i)) & 1n) === 1n);
      let s = 0n;
      while (s === 0n) for (const b of bits) if (next() < 0.5) s |= 1n << BigInt(b);
      return s;
    },
  };
}
type Rng = ReturnType<typeof prng>;

// ---- reading the chain in batches -------------------------------------------------------------------------------

const trustIface = new Interface(projectArtifact("TrustRegistry").abi);
const SEL_TRUSTED_AT = selectorOf(trustIface, "trustedAt");
const SEL_HISTORY_OF = selectorOf(trustIface, "historyOf");
/** Sub-calls per eth_call: trustedAt costs up to ~40,000 gas over a long chain. */
const PER_CALL = 400;

interface Question {
  subject: string;
  typeId: number;
  at: bigint;
}

interface World {
  trust: string;
  multicall: string;
  chainId: bigint;
  governor: Signer;
  signers: Map<string, Signer>;
  pool: string[];
}

const checksums = new Map<string, string>();
/** A 40-digit hex address, checksummed (few addresses, many answers: computed once each). */
function checksummed(hex: string): string {
  let a = checksums.get(hex);
  if (a === undefined) checksums.set(hex, (a = ethers.getAddress(`0x${hex}`)));
  return a;
}

/** The contract's answers to `questions` and the histories of `subjects`, with few eth_calls (sent together). */
async function readChain(w: World, questions: readonly Question[], subjects: readonly string[]) {
  const calls: SubCall[] = [
    ...subjects.map((s) => ({ target: w.trust, allowFailure: false, callData: SEL_HISTORY_OF + addressWord(s) })),
    ...questions.map((q) => ({
      target: w.trust,
      allowFailure: false,
      callData: SEL_TRUSTED_AT + addressWord(q.subject) + word(q.typeId) + word(q.at),
    })),
  ];
  const chunks: SubCall[][] = [];
  for (let i = 0; i < calls.length; i += PER_CALL) chunks.push(calls.slice(i, i + PER_CALL));
  const results = (
    await Promise.all(
      chunks.map(async (c) =>
        decodeAggregate3(await provider.call({ to: w.multicall, data: encodeAggregate3(c) }), c.length),
      ),
    )
  ).flat();
  const histories = new Map<string, ChainLink[]>();
  subjects.forEach((s, i) =>
    histories.set(s, toLinks(s, trustIface.decodeFunctionResult("historyOf", `0x${results[i]!.returnData}`)[0])),
  );
  const answers: Answer[] = questions.map((_, i) => {
    const data = results[subjects.length + i]!.returnData;
    return {
      verdict: Number(returnWord(data, 0)),
      failedAt: checksummed(data.slice(64 + 24, 128)),
      root: checksummed(data.slice(128 + 24, 192)),
    };
  });
  return { histories, answers };
}

// ---- driving the chain ------------------------------------------------------------------------------------------

/** A change the generator chose: applied to the model at block time `at`, and sent. */
interface Op {
  describe: string;
  apply(model: Model, at: bigint): void;
  send(): Promise<{ hash: string }>;
}

const trustAt = (w: World, s: Signer) => new ethers.Contract(w.trust, trustIface, s);

/** A random validity window around `t`. */
function windowAround(rng: Rng, t: bigint): { validFrom: bigint; validUntil: bigint } {
  const validFrom = rng.pick([0n, 0n, t - BigInt(rng.int(3000)), t + BigInt(1 + rng.int(500))]);
  const validUntil = rng.pick([
    FOREVER,
    FOREVER,
    validFrom + BigInt(1 + rng.int(4000)),
    (t > validFrom ? t : validFrom) + BigInt(1 + rng.int(300)),
  ]);
  return { validFrom, validUntil };
}

/** Who may loosen (update, reinstate) a link at t: its parent in force, else governance. Tightening: either. */
function actor(w: World, model: Model, subject: string, t: bigint, loosen: boolean, rng: Rng): Signer {
  const parent = model.links.get(subject)!.parent;
  if (parent === ZERO) return w.governor;
  if (model.inForce(parent, t) && (loosen || rng.chance(0.5))) return w.signers.get(parent)!;
  return w.governor;
}

/** A random change that the contract accepts at block time t, given the model (already holding the block's earlier changes). */
function chooseOp(w: World, model: Model, rng: Rng, t: bigint): Op | undefined {
  const accredited = w.pool.filter((a) => model.links.has(a));
  const fresh = w.pool.filter((a) => !model.links.has(a));
  const live = accredited.filter((a) => model.latest(a)!.status !== "revoked");
  const kind = rng.pick([
    "accredit",
    "accredit",
    "accredit",
    "update",
    "update",
    "update",
    "suspend",
    "suspend",
    "reinstate",
    "reinstate",
    "revoke",
    "addRoot",
  ]);
  switch (kind) {
    case "accredit":
    case "addRoot": {
      if (fresh.length === 0) return undefined;
      const subject = rng.pick(fresh);
      const { validFrom, validUntil } = windowAround(rng, t);
      if (kind === "addRoot" || rng.chance(0.03)) {
        const scope = rng.subset(ALL_TYPES);
        return {
          describe: `addRoot ${subject} scope ${scope} [${validFrom}, ${validUntil})`,
          apply: (m, at) => {
            m.links.set(subject, { parent: ZERO, depth: 0, versions: [] });
            m.record(subject, { role: 2, status: "active", reason: 0, validFrom, validUntil, scope }, at);
          },
          send: () =>
            trustAt(w, w.governor).getFunction("addRoot")(subject, scope, validFrom, validUntil, "", NO_HASH, GAS),
        };
      }
      const parents = accredited.filter((a) => model.inForce(a, t) && model.links.get(a)!.depth < 8);
      if (parents.length === 0) return undefined;
      const parent = rng.pick(parents);
      const role = 1 + rng.int(3);
      const scope = rng.subset(model.latest(parent)!.scope);
      return {
        describe: `accredit ${parent} -> ${subject} role ${role} scope ${scope} [${validFrom}, ${validUntil})`,
        apply: (m, at) => {
          m.links.set(subject, { parent, depth: m.links.get(parent)!.depth + 1, versions: [] });
          m.record(subject, { role, status: "active", reason: 0, validFrom, validUntil, scope }, at);
        },
        send: async () => {
          const terms = {
            parent,
            subject,
            role,
            scope,
            validFrom,
            validUntil,
            metadataHash: NO_HASH,
            deadline: NO_DEADLINE,
          };
          const consent = await signAccreditationConsent(w.signers.get(subject)!, {
            verifyingContract: w.trust,
            chainId: w.chainId,
            terms,
          });
          return trustAt(w, w.signers.get(parent)!).getFunction("accredit")(
            parent,
            subject,
            role,
            scope,
            validFrom,
            validUntil,
            "",
            NO_HASH,
            NO_DEADLINE,
            consent,
            GAS,
          );
        },
      };
    }
    case "update": {
      if (live.length === 0) return undefined;
      const subject = rng.pick(live);
      const link = model.links.get(subject)!;
      const was = model.latest(subject)!;
      const isRoot = link.parent === ZERO;
      const role = isRoot ? 2 : rng.chance(0.7) ? was.role : 1 + rng.int(3);
      // Scope up and down: any non-empty part of what the parent holds now.
      const scope = rng.subset(isRoot ? ALL_TYPES : model.latest(link.parent)!.scope);
      const { validFrom, validUntil } = rng.chance(0.5)
        ? { validFrom: was.validFrom, validUntil: was.validUntil }
        : windowAround(rng, t);
      const reason = rng.int(256);
      const by = actor(w, model, subject, t, true, rng);
      return {
        describe: `update ${subject} role ${role} scope ${scope} [${validFrom}, ${validUntil})`,
        apply: (m, at) =>
          m.record(subject, { role, status: m.latest(subject)!.status, reason, validFrom, validUntil, scope }, at),
        send: () =>
          trustAt(w, by).getFunction("update")(subject, role, scope, validFrom, validUntil, reason, "", NO_HASH, GAS),
      };
    }
    case "suspend":
    case "reinstate": {
      const from: Status = kind === "suspend" ? "active" : "suspended";
      const candidates = live.filter((a) => model.latest(a)!.status === from);
      if (candidates.length === 0) return undefined;
      const subject = rng.pick(candidates);
      const reason = rng.int(256);
      const by = actor(w, model, subject, t, kind === "reinstate", rng);
      const to: Status = kind === "suspend" ? "suspended" : "active";
      return {
        describe: `${kind} ${subject}`,
        apply: (m, at) => m.record(subject, { ...m.latest(subject)!, status: to, reason }, at),
        send: () => trustAt(w, by).getFunction(kind)(subject, reason, GAS),
      };
    }
    default: {
      // Revoke with an effective time now or in the past; or move a revocation's effective time earlier.
      const movable = accredited.filter(
        (a) => model.latest(a)!.status === "revoked" && model.latest(a)!.validUntil > 0n,
      );
      const subject =
        live.length > 0 && (movable.length === 0 || rng.chance(0.75))
          ? rng.pick(live)
          : movable.length > 0
            ? rng.pick(movable)
            : undefined;
      if (subject === undefined) return undefined;
      const was = model.latest(subject)!;
      const bound = was.status === "revoked" ? was.validUntil - 1n : t;
      const back = rng.pick([0n, BigInt(1 + rng.int(50)), BigInt(1 + rng.int(5000))]);
      const effectiveAt = bound - back < 0n ? 0n : bound - back;
      const reason = rng.int(256);
      const by = actor(w, model, subject, t, false, rng);
      return {
        describe: `revoke ${subject} effective ${effectiveAt}`,
        apply: (m, at) =>
          m.record(subject, { ...m.latest(subject)!, status: "revoked", reason, validUntil: effectiveAt }, at),
        send: () => trustAt(w, by).getFunction("revoke")(subject, effectiveAt, reason, GAS),
      };
    }
  }
}

/** A step forward in time: mostly small, sometimes long (expiry, validFrom reached). */
const stepTime = (rng: Rng) =>
  BigInt(rng.pick([1, 1, 1, 1 + rng.int(9), 1 + rng.int(9), 100 + rng.int(900), 10_000 + rng.int(90_000)]));

interface Run {
  model: Model;
  /** Block time of the latest block. */
  now: bigint;
  anchors: bigint[];
  /** Times to ask about that the last checkpoint has not asked about yet. */
  fresh: Set<bigint>;
  all: Set<bigint>;
  /** How many anchors the checkpoints have asked about. */
  anchorsAsked: number;
}

/** The anchors no checkpoint has asked about yet. */
function newAnchors(run: Run): bigint[] {
  const fresh = run.anchors.slice(run.anchorsAsked);
  run.anchorsAsked = run.anchors.length;
  return fresh;
}

/** Notes the times a version makes interesting: its block time ±1 and the edges of its window. */
function noteTimes(run: Run, subjects: Iterable<string>, at: bigint): void {
  const add = (x: bigint) => {
    if (x < 0n || run.all.has(x)) return;
    run.all.add(x);
    run.fresh.add(x);
  };
  for (const x of [at - 1n, at, at + 1n]) add(x);
  for (const s of subjects) {
    const v = run.model.latest(s);
    if (v === undefined) continue;
    for (const x of [v.validFrom - 1n, v.validFrom, v.validUntil - 1n, v.validUntil]) if (x <= FOREVER) add(x);
  }
}

/** An empty block at `at`. */
async function advance(run: Run, at: bigint, why: string): Promise<string> {
  await provider.send("evm_mine", [Number(at)]);
  run.now = at;
  return `advance to ${at} (${why})`;
}

/** One step of a lifecycle. Returns a description, for the log a failure prints. */
async function step(w: World, run: Run, rng: Rng): Promise<string> {
  const roll = rng.next();
  // Time passes: an empty block.
  if (roll < 0.1) return advance(run, run.now + stepTime(rng), "time passes");
  if (roll < 0.22) {
    // An anchor: a credential anchored at the latest block's time (the time of a change, often), or in a block of its own.
    if (rng.chance(0.5)) {
      run.now += stepTime(rng);
      await provider.send("evm_mine", [Number(run.now)]);
    }
    run.anchors.push(run.now);
    noteTimes(run, [], run.now);
    return `anchor at ${run.now}`;
  }
  const at = run.now + stepTime(rng);
  if (roll < 0.32) {
    // Several changes in one block: they share a block time (and a link changed twice keeps the last version).
    const ops: Op[] = [];
    const n = 2 + rng.int(3);
    for (let i = 0; i < n * 3 && ops.length < n; i++) {
      const op = chooseOp(w, run.model, rng, at);
      if (op === undefined) continue;
      op.apply(run.model, at);
      ops.push(op);
    }
    if (ops.length === 0) return advance(run, at, "nothing to change");
    await provider.send("evm_setAutomine", [false]);
    const sent: { hash: string }[] = [];
    try {
      for (const op of ops) sent.push(await op.send());
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    await provider.send("evm_mine", [Number(at)]);
    for (const [i, tx] of sent.entries()) {
      const receipt = await provider.getTransactionReceipt(tx.hash);
      const block = receipt === null ? undefined : await provider.getBlock(receipt.blockNumber);
      if (receipt?.status !== 1 || BigInt(block!.timestamp) !== at)
        throw new Error(`${ops[i]!.describe}: not mined at ${at} as the model expects`);
    }
    run.now = at;
    if (rng.chance(0.3)) run.anchors.push(at);
    noteTimes(run, run.model.links.keys(), at);
    return `block at ${at}: ${ops.map((o) => o.describe).join("; ")}`;
  }
  const op = chooseOp(w, run.model, rng, at);
  if (op === undefined) return advance(run, at, "nothing to change");
  await provider.send("evm_setNextBlockTimestamp", [Number(at)]);
  await op.send(); // automined: a revert throws here
  op.apply(run.model, at);
  run.now = at;
  noteTimes(run, run.model.links.keys(), at);
  return `at ${at}: ${op.describe}`;
}

let readMs = 0;
/** Compares contract, evaluator and model on `questions`, and the histories with the model's. */
/**
 * Compares the histories with the model's; contract, evaluator and model on `questions`; evaluator and model alone on
 * `more` (the evaluator reads the very history just found equal to the model's; the contract's EVM, at about half a
 * millisecond a question in the in-process node, is kept for the questions that matter most).
 */
async function compare(
  w: World,
  run: Run,
  questions: Question[],
  more: Question[] = [],
): Promise<{ answers: Answer[]; histories: Map<string, ChainLink[]> }> {
  const subjects = w.pool.filter((a) => run.model.links.has(a));
  const t0 = performance.now();
  const { histories, answers } = await readChain(w, questions, subjects);
  readMs += performance.now() - t0;
  const text = (x: unknown) => JSON.stringify(x, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  for (const s of subjects) {
    // The history the contract answers from is the model's, link by link, version by version.
    const chain = histories.get(s)!;
    const mine = chain.map((l) => ({
      subject: l.subject,
      parent: l.parent,
      versions: l.versions.map((v) => ({ ...v, status: STATUS_OF[v.status] })),
    }));
    const model: unknown[] = [];
    for (let a = s; a !== ZERO; a = run.model.links.get(a)!.parent) {
      const l = run.model.links.get(a)!;
      model.push({
        subject: a,
        parent: l.parent,
        versions: l.versions.map((v) => ({
          since: v.since,
          scope: v.scope,
          validFrom: v.validFrom,
          validUntil: v.validUntil,
          reason: v.reason,
          role: v.role,
          status: v.status,
        })),
      });
    }
    // Compared as text (fast); on a difference, as objects (a readable diff).
    if (text(mine) !== text(model)) expect(mine, `history of ${s}`).to.deep.equal(model);
  }
  const key = (a: Answer) => `${a.verdict}|${a.failedAt}|${a.root}`;
  questions.forEach((q, i) => {
    const contract = answers[i]!;
    const what = `${q.subject} type ${q.typeId} at ${q.at}`;
    const modelled = run.model.trusted(q.subject, q.typeId, q.at);
    if (key(contract) !== key(modelled)) expect(contract, `contract vs model: ${what}`).to.deep.equal(modelled);
    const chain = histories.get(q.subject) ?? [];
    const ours = evaluateTrust(chain, { typeId: q.typeId, at: q.at });
    const evaluated = {
      verdict: ours.verdict,
      failedAt: ours.failedAt ?? (chain.length === 0 ? q.subject : ZERO),
      root: ours.root ?? ZERO,
    };
    if (key(evaluated) !== key(contract)) expect(evaluated, `evaluator vs contract: ${what}`).to.deep.equal(contract);
  });
  for (const q of more) {
    const chain = histories.get(q.subject) ?? [];
    const ours = evaluateTrust(chain, { typeId: q.typeId, at: q.at });
    const evaluated = {
      verdict: ours.verdict,
      failedAt: ours.failedAt ?? (chain.length === 0 ? q.subject : ZERO),
      root: ours.root ?? ZERO,
    };
    const modelled = run.model.trusted(q.subject, q.typeId, q.at);
    if (key(evaluated) !== key(modelled))
      expect(evaluated, `evaluator vs model: ${q.subject} type ${q.typeId} at ${q.at}`).to.deep.equal(modelled);
  }
  return { answers, histories };
}

/** A type to ask about `subject`: mostly one its accreditation holds now (else few questions would get past the scope). */
function typeFor(rng: Rng, model: Model, subject: string): number {
  const scope = model.latest(subject)?.scope ?? 0n;
  if (scope !== 0n && rng.chance(0.6)) {
    const held = TYPE_IDS.filter((id) => id < 112 && ((scope >> BigInt(id)) & 1n) === 1n);
    return rng.pick(held);
  }
  return rng.pick(TYPE_IDS);
}

/**
 * Questions about `times`: `subjects` addresses of the pool each (all when undefined; else mostly accredited ones),
 * `types` types each (all when undefined).
 */
function questionsAbout(
  w: World,
  run: Run,
  rng: Rng,
  times: Iterable<bigint>,
  shape: { subjects?: number; types?: number } = {},
): Question[] {
  const qs: Question[] = [];
  const accredited = w.pool.filter((a) => run.model.links.has(a));
  for (const at of times) {
    const subjects =
      shape.subjects === undefined
        ? w.pool
        : Array.from({ length: shape.subjects }, () =>
            accredited.length > 0 && rng.chance(0.9) ? rng.pick(accredited) : rng.pick(w.pool),
          );
    for (const subject of subjects) {
      const types =
        shape.types === undefined
          ? TYPE_IDS
          : Array.from({ length: shape.types }, () => typeFor(rng, run.model, subject));
      for (const typeId of types) qs.push({ subject, typeId, at });
    }
  }
  return qs;
}

/** The fixture's chain, its addresses and signers (the same after every `load()`). */
async function world(): Promise<World> {
  const f = await load();
  const signers = (await ethers.getSigners()) as Signer[];
  const byAddress = new Map<string, Signer>();
  for (const s of signers) byAddress.set(await s.getAddress(), s);
  const skip = new Set([await f.deployer.getAddress(), await f.governor.getAddress()]);
  return {
    trust: await f.trust.getAddress(),
    multicall: await f.multicall.getAddress(),
    chainId: (await provider.getNetwork()).chainId,
    governor: f.governor,
    signers: byAddress,
    pool: [...byAddress.keys()].filter((a) => !skip.has(a)),
  };
}

/** A fresh run on the fixture's chain: the model starts from the fixture's root. */
async function start(w: World): Promise<Run> {
  await load();
  const model = new Model();
  const { histories } = await readChain(w, [], w.pool);
  for (const [s, chain] of histories) {
    if (chain.length === 0) continue;
    const link = chain[0]!;
    model.links.set(s, {
      parent: link.parent,
      depth: 0,
      versions: link.versions.map((v) => ({ ...v, status: STATUS_OF[v.status]! })),
    });
  }
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  return { model, now, anchors: [], anchorsAsked: 0, fresh: new Set([0n, now]), all: new Set([0n, now]) };
}

/** Runs `fn` for `seed`, naming the seed, the step and the last steps taken when it fails. */
async function withSeed(seed: number, log: string[], fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const err = e as Error;
    err.message = `seed ${seed} (replay: LER_TRUST_SEED=${seed}), after ${log.length} steps: ${err.message}\n  last steps:\n    ${log.slice(-8).join("\n    ")}`;
    throw err;
  }
}

const seeds = (base: number, n: number) =>
  process.env.LER_TRUST_SEED !== undefined
    ? [Number(process.env.LER_TRUST_SEED)]
    : Array.from({ length: n }, (_, i) => base + i);

describe("trust history: contract, evaluator and model agree over random lifecycles (differential property)", function () {
  this.timeout(300_000);
  const totalSteps = Number(process.env.LER_TRUST_STEPS ?? depth(2_000, 10_000));
  const STEPS_PER_SEED = 400;
  const CHECK_EVERY = 8;

  it(`${totalSteps} steps of accredit, scope up and down, suspend, reinstate, revoke (back-dated, moved earlier), expiry, shared block times and anchors`, async () => {
    const w = await world();
    let steps = 0;
    let questions = 0;
    let pure = 0;
    const verdicts = new Set<number>();
    let sharedTimes = 0;
    const timing = { steps: 0, compare: 0 };
    for (const seed of seeds(1, Math.ceil(totalSteps / STEPS_PER_SEED))) {
      const rng = prng(seed);
      const log: string[] = [];
      await withSeed(seed, log, async () => {
        const run = await start(w);
        const perSeed =
          process.env.LER_TRUST_SEED !== undefined ? totalSteps : Math.min(STEPS_PER_SEED, totalSteps - steps);
        for (let i = 0; i < perSeed; i++) {
          let t0 = performance.now();
          const did = await step(w, run, rng);
          timing.steps += performance.now() - t0;
          if (process.env.LER_TRUST_DEBUG !== undefined) console.log(i, did);
          log.push(did);
          if (did.startsWith("block at")) sharedTimes++;
          steps++;
          if (i % CHECK_EVERY !== CHECK_EVERY - 1 && i !== perSeed - 1) continue;
          // Every new time (change ±1, window edges, anchors), now and a little after, and a few older times again.
          const old = [...run.all];
          const times = new Set([
            ...run.fresh,
            run.now,
            run.now + 1n,
            FAR,
            ...Array.from({ length: 3 }, () => rng.pick(old)),
          ]);
          run.fresh.clear();
          // Three ways: each of these times for one subject and type, each new anchor for three.
          const qs = [
            ...questionsAbout(w, run, rng, times, { subjects: 1, types: 1 }),
            ...questionsAbout(w, run, rng, newAnchors(run), { subjects: 3, types: 1 }),
          ];
          // Evaluator and model: each of these times for every address, two types each.
          const more = questionsAbout(w, run, rng, times, { types: 2 });
          t0 = performance.now();
          const { answers } = await compare(w, run, qs, more);
          timing.compare += performance.now() - t0;
          for (const a of answers) verdicts.add(a.verdict);
          questions += qs.length;
          pure += more.length;
        }
        // At the end: every anchor, every type, every address; every change time ±1 once more, after all later changes.
        const accredited = w.pool.filter((a) => run.model.links.has(a));
        const qs = questionsAbout(w, run, rng, new Set(run.anchors), {
          subjects: Math.min(4, accredited.length),
          types: 1,
        });
        const more = [
          ...questionsAbout(w, run, rng, new Set(run.anchors)),
          ...questionsAbout(w, run, rng, run.all, { types: 1 }),
        ];
        await compare(w, run, qs, more);
        questions += qs.length;
        pure += more.length;
      });
    }
    console.log(
      `      ${steps} steps, ${questions} questions compared three ways and ${pure} more between evaluator and model, ${sharedTimes} blocks with several changes (reads ${Math.round(readMs)} ms, steps ${Math.round(timing.steps)} ms, checks ${Math.round(timing.compare)} ms)`,
    );
    expect(steps).to.equal(totalSteps);
    // The lifecycles reach every verdict but the depth bound.
    expect([...verdicts].sort()).to.deep.equal([
      TRUSTED,
      NOT_ACCREDITED,
      NOT_ISSUER,
      NOT_ACCREDITOR,
      SUSPENDED,
      REVOKED,
      NOT_YET_VALID,
      EXPIRED,
      OUT_OF_SCOPE,
    ]);
    expect(sharedTimes).to.be.greaterThan(totalSteps / 20);
  });

  it("past answers never change, except by the rules that apply now; past versions are never rewritten", async () => {
    const w = await world();
    let rechecked = 0;
    let changedByNowRules = 0;
    let untrustedByNowRules = 0;
    // One seed by default (1001: its lifecycle suspends or revokes what was trusted), both under LER_TEST_DEPTH=deep.
    for (const seed of depth(seeds(1_001, 1), seeds(1_000, 2))) {
      const rng = prng(seed);
      const log: string[] = [];
      await withSeed(seed, log, async () => {
        const run = await start(w);
        let previous: { questions: Question[]; answers: Answer[]; histories: Map<string, ChainLink[]> } | undefined;
        for (let i = 0; i < 240; i++) {
          log.push(await step(w, run, rng));
          if (i % 3 !== 2) continue;
          // Questions about the past only (at or before the latest block): the ones asked before, and some new ones.
          const past = [...run.all].filter((t) => t <= run.now);
          // At most ~600 questions: the oldest are dropped.
          const drop = Math.max(0, (previous?.questions.length ?? 0) - 120);
          const asked = previous?.questions.slice(drop) ?? [];
          const askedAnswers = previous?.answers.slice(drop) ?? [];
          const questions = [
            ...asked,
            ...questionsAbout(
              w,
              run,
              rng,
              Array.from({ length: 4 }, () => rng.pick(past)),
              { subjects: 6, types: 1 },
            ),
          ];
          const now = await compare(w, run, questions);
          if (previous !== undefined) {
            for (const [s, chain] of previous.histories) {
              const later = now.histories.get(s)!;
              chain.forEach((link, k) =>
                expect(later[k]!.versions.slice(0, link.versions.length), `versions of ${link.subject}`).to.deep.equal(
                  link.versions,
                ),
              );
            }
            asked.forEach((q, k) => {
              const before = askedAnswers[k]!;
              const after = now.answers[k]!;
              rechecked++;
              if (before.verdict === after.verdict && before.failedAt === after.failedAt && before.root === after.root)
                return;
              changedByNowRules++;
              if (before.verdict === TRUSTED) untrustedByNowRules++;
              const latestOf = (histories: Map<string, ChainLink[]>, a: string) =>
                [...histories.values()]
                  .flat()
                  .find((l) => l.subject === a)
                  ?.versions.at(-1);
              const nowOf = latestOf(now.histories, after.failedAt);
              const thenOf = latestOf(previous!.histories, before.failedAt);
              const newHold =
                (after.verdict === SUSPENDED && nowOf?.status === 2) ||
                (after.verdict === REVOKED && nowOf?.status === 3 && q.at >= nowOf.validUntil);
              const holdLifted = before.verdict === SUSPENDED && thenOf?.status === 2;
              // Accredited since: "no accreditation" becomes "it did not exist at t" (still not trusted).
              const createdSince =
                before.verdict === NOT_ACCREDITED &&
                after.verdict === NOT_YET_VALID &&
                after.failedAt === before.failedAt;
              expect(
                newHold || holdLifted || createdSince,
                `${q.subject} type ${q.typeId} at ${q.at} changed from ${JSON.stringify(before)} to ${JSON.stringify(after)}`,
              ).to.equal(true);
            });
          }
          previous = { questions, answers: now.answers, histories: now.histories };
        }
      });
    }
    console.log(
      `      ${rechecked} past answers asked again, ${changedByNowRules} changed (${untrustedByNowRules} from trusted) by a suspension or revocation now, or an accreditation since`,
    );
    expect(rechecked).to.be.greaterThan(1000);
    expect(untrustedByNowRules).to.be.greaterThan(0);
  });
});
