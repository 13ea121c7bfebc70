import { getAddress } from "ethers";
import { ChainError } from "../errors.js";
import { readSnapshot } from "../chain/reads.js";
import { type ChainSnapshot } from "../chain/snapshotPlan.js";
import { parseEthrDid, signingKeysAt, type SigningKeys } from "../did/ethr.js";
import { parseStatusEntry, revocationHashesOf } from "../credentials/index.js";
import type { DecodedJwt } from "./jwt.js";
import type { VerifierContext, VerifierScope, VerifyOptions } from "./context.js";
import type { VerifierMemory } from "./memory.js";
import { deepFrozen } from "./memory.js";
import { combine, type Check, type CredentialReport, type CredentialSummary, type TrustChainEntry } from "./report.js";
import { fetchStatusLists, type FetchedStatusList } from "./statusLists.js";
import { linkView, type ChainLink } from "./trust.js";
import { anchorCheck, anchorProofCheck } from "./checks/anchor.js";
import { byCheckOrder, DEFAULT_SKEW, failure, type Prepared, type Shared } from "./checks/common.js";
import { decodeCredential, headerKeyOf, isCheck, preparedJwt, wellFormed } from "./checks/format.js";
import { issuerCheck } from "./checks/issuer.js";
import { embeddedOf, mirrorCheck, schemaCheck, subjectCheck, typesOf } from "./checks/schema.js";
import { signatureCheck } from "./checks/signature.js";
import { statusCheck, statusListUrlsOf } from "./checks/status.js";
import { trustCheck } from "./checks/trust.js";
import { validityCheck } from "./checks/validity.js";

// Credential verification as a list of checks (src/verify/checks/): `prepare` runs those that need no chain on each
// decoded credential, one snapshot of the chain is read for the whole batch (the only I/O, with the status lists the
// batch names), and `finish` runs the rest on each. Pure but for that read: `now` comes in the options.

/**
 * Verifies a batch with one chain snapshot: one `eth_call` for every registry read of the batch and at most one
 * `eth_getLogs` for DID histories. Also hands back the snapshot (presentations check the holder's keys in it).
 * `extraIssuers`: DIDs whose histories the snapshot must hold too (a presentation's holder).
 */
export async function verifyWithMemory(
  ctx: VerifierContext,
  memory: VerifierMemory,
  inputs: readonly unknown[],
  options: VerifyOptions,
  extraIssuers: readonly string[] = [],
): Promise<{ reports: CredentialReport[]; snapshot: ChainSnapshot | undefined; chainError: ChainError | undefined }> {
  const outer = inputs.map((input) => prepare(ctx, memory, input));
  // The credentials records embed (CLR 2.0) are verified with the batch, from the same snapshot.
  const inner = outer.flatMap((p) => (p.embedded ?? []).map((jwt) => prepare(ctx, memory, jwt)));
  const prepared = inner.length === 0 ? outer : [...outer, ...inner];
  const ready = prepared.filter((p) => p.issuer !== undefined);
  const cache = ctx.cache === false ? undefined : (ctx.cache ?? memory.chainCacheOf(ctx.provider)).of(ctx.deployment);
  // Status lists are fetched while the chain is read: every distinct list of the batch once, a few at a time.
  const fetchingLists = fetchStatusLists(
    statusListUrlsOf(ready, options.checkStatusLists === true),
    ctx.fetchStatusList,
    options.statusLists,
  );
  let snapshot: ChainSnapshot | undefined;
  let chainError: ChainError | undefined;
  if (ready.length > 0 || extraIssuers.length > 0) {
    try {
      snapshot = await readSnapshot(
        ctx.provider,
        ctx.deployment,
        {
          issuers: [...ready.map((p) => p.issuer!.address), ...extraIssuers],
          typeNames: ready.flatMap((p) => p.types ?? []),
          statuses: ready.flatMap((p) =>
            p.status?.kind === "ler" ? [{ issuer: p.issuer!.address, list: p.status.list, index: p.status.index }] : [],
          ),
          hashes: ready.flatMap((p) => p.hashes!.map((hash) => ({ issuer: p.issuer!.address, hash }))),
          anchors: ready.flatMap((p) =>
            p.anchorRoot !== undefined ? [{ issuer: p.issuer!.address, root: p.anchorRoot }] : [],
          ),
        },
        // The head's age (`ReadOptions.maxHeadAgeSeconds`) is judged by this verification's clock.
        {
          ...options.read,
          ...(cache !== undefined && options.read?.cache === undefined && { cache }),
          now: options.read?.now ?? options.now,
        },
      );
    } catch (e) {
      if (!(e instanceof ChainError)) throw e;
      chainError = e;
    }
  }
  const shared = sharedOf(ctx, memory, options, await fetchingLists);
  const reports = outer.map((p) => finish(ctx, memory, p, snapshot, chainError, options, shared));
  if (inner.length > 0) {
    let k = 0;
    outer.forEach((p, i) => {
      if (p.embedded === undefined) return;
      const embedded = inner.slice(k, (k += p.embedded.length)).map((q) => {
        const r = finish(ctx, memory, q, snapshot, chainError, options, shared);
        // One level: a record inside a record is not expanded, so it proves nothing here.
        if (q.embedded !== undefined) {
          r.checks = [
            ...r.checks,
            {
              id: "embedded",
              outcome: "fail",
              code: "nested_record",
              message: "A record inside a record is not verified: embed the credentials themselves.",
            },
          ];
          r.result = combine(r.checks);
        }
        return r;
      });
      withEmbedded(reports[i]!, embedded);
    });
  }
  return { reports, snapshot, chainError };
}

/**
 * The reports of a batch whose chain cannot be read (`why`): what needs no chain is checked as usual, what needs it
 * is `unknown` with the reason, as a failed read is reported.
 */
export function reportsWithoutChain(
  ctx: VerifierContext,
  memory: VerifierMemory,
  inputs: readonly unknown[],
  options: VerifyOptions,
  why: ChainError,
): CredentialReport[] {
  const shared = sharedOf(ctx, memory, options);
  return inputs.map((input) => finish(ctx, memory, prepare(ctx, memory, input), undefined, why, options, shared));
}

function sharedOf(
  scope: VerifierScope,
  memory: VerifierMemory,
  options: VerifyOptions,
  statusLists: ReadonlyMap<string, FetchedStatusList> = new Map(),
): Shared {
  const keys = new Map<string, SigningKeys>();
  const chains = new Map<string, TrustChainEntry[]>();
  let roots: ReadonlySet<string> | undefined;
  return {
    statusLists,
    chainOf(issuer, links, at) {
      const k = `${issuer}|${at}`;
      let v = chains.get(k);
      if (v === undefined) chains.set(k, (v = deepFrozen(describeChain(links, scope, options.names, at, memory))));
      return v;
    },
    // One key set per issuer and moment: every credential of an anchored batch asks the same question.
    keysAt(did, events, at) {
      const k = `${did.did}|${at.block}|${at.time}`;
      let v = keys.get(k);
      if (v === undefined) keys.set(k, (v = signingKeysAt(did, events, at)));
      return v;
    },
    // Parsed when first needed, as before: a bad entry throws only if a chain reaches a root.
    get trustedRoots() {
      if (options.trustedRoots === undefined) return undefined;
      roots ??= new Set(
        options.trustedRoots.map((r) => (r.startsWith("did:") ? parseEthrDid(r).address : getAddress(r))),
      );
      return roots;
    },
  };
}

/** The checks that need no chain: format, schema, issuer, anchor proof; and what the others will need. */
function prepare(scope: VerifierScope, memory: VerifierMemory, input: unknown): Prepared {
  const p: Prepared = { checks: [], summary: {} };
  const decoded = decodeCredential(input);
  if (isCheck(decoded)) {
    p.checks.push(decoded);
    return p;
  }
  const { jwt, credential, form } = decoded;
  p.jwt = preparedJwt(jwt);
  if (Object.hasOwn(jwt.header, "jwk")) {
    const key = headerKeyOf(jwt.header.jwk, memory);
    if (isCheck(key)) {
      p.checks.push(key);
      return p;
    }
    p.jwt.jwk = key;
  }
  const revocation = revocationHashesOf(jwt.payload, jwt.raw);
  p.hashes = revocation.all;
  p.checks.push(wellFormed(jwt.alg, memory));
  p.summary = summarize(credential, jwt, memory);

  p.checks.push(schemaCheck(credential));
  const embedded = embeddedOf(credential);
  if (isCheck(embedded)) p.checks.push(embedded);
  else if (embedded !== undefined) p.embedded = embedded;
  const subject = subjectCheck(jwt.payload);
  if (subject !== undefined) p.checks.push(subject);
  const mirrored = mirrorCheck(jwt.payload, form);
  if (mirrored !== undefined) p.checks.push(mirrored);

  const issuer = issuerCheck(jwt.payload, credential, scope, memory);
  p.checks.push(issuer.check);
  if (issuer.issuer === undefined) return p;
  p.issuer = issuer.issuer;

  const types = typesOf(credential, memory);
  if (isCheck(types)) {
    p.checks.push(types);
    p.types = [];
  } else {
    p.types = types;
  }
  try {
    const status = parseStatusEntry(credential.credentialStatus);
    if (status?.kind === "ler") {
      const { registry, issuer } = status;
      status.registry = memory.text(`ad|${registry}`, () => registry);
      status.issuer = memory.text(`ad|${issuer}`, () => issuer);
    }
    p.status = status;
  } catch (e) {
    p.checks.push(failure("status", e));
  }
  // The credential hash is the anchor leaf: computed once, for the revocation and the proof.
  const anchor = anchorProofCheck(jwt.payload, revocation.credential, scope, memory);
  if (typeof anchor === "string") p.anchorRoot = anchor;
  else if (anchor !== undefined) p.checks.push(anchor);
  return p;
}

/** The checks that need the chain (anchor, signature, trust, status) and the clock (validity), from the snapshot. */
function finish(
  scope: VerifierScope,
  memory: VerifierMemory,
  p: Prepared,
  snap: ChainSnapshot | undefined,
  chainError: ChainError | undefined,
  options: VerifyOptions,
  shared: Shared,
): CredentialReport {
  const now = options.now;
  const skew = options.clockSkewSeconds ?? DEFAULT_SKEW;
  const report: CredentialReport = {
    kind: "credential",
    result: "invalid",
    checks: p.checks,
    credential: p.summary,
    trustChain: [],
    verifiedAt: now,
  };
  if (p.jwt !== undefined) report.checks.push(validityCheck(p.jwt, now, skew, memory));
  if (p.issuer === undefined || p.jwt === undefined) {
    report.result = combine(report.checks);
    return report;
  }
  const has = (id: Check["id"]) => report.checks.some((c) => c.id === id);
  if (snap === undefined) {
    const why = chainError ?? new ChainError("chain_unreachable", "The chain was not read.");
    for (const id of ["anchor", "signature", "trust", "status"] as const) {
      if (!has(id)) report.checks.push({ id, outcome: "unknown", code: why.code, message: why.message });
    }
    report.checks.sort(byCheckOrder);
    report.result = combine(report.checks);
    return report;
  }
  report.block = snap.block;
  const issuer = p.issuer.address;

  // Anchor: the trusted issuance time, when the root is on chain. Without it trust is judged now, and the report says so
  // (the anchor check, `trustedTime.source` and the trust check's details): the history protects anchored credentials.
  const anchor = anchorCheck(issuer, p.anchorRoot, has("anchor"), snap, now, memory);
  if (anchor.check !== undefined) report.checks.push(anchor.check);
  report.trustedTime = anchor.trustedTime;
  const judged = anchor.judged;

  // Signature, against the keys the issuer's DID document had at the trusted time.
  report.checks.push(signatureCheck(p.jwt, p.issuer, snap, judged, shared.keysAt, memory));

  // Trust: accredited for every type the credential claims, at the trusted time, by the chain's history, under a
  // trusted root. The chain is shown as it stood then.
  const chain = snap.chains.get(issuer) ?? [];
  report.trustChain = shared.chainOf(issuer, chain, judged.at);
  report.checks.push(trustCheck(chain, p.types ?? [], snap, judged, () => shared.trustedRoots, memory));

  // Status: revocation and suspension now.
  if (!has("status")) {
    report.checks.push(
      ...statusCheck(
        p,
        snap,
        scope,
        shared,
        { now, skew, checkStatusLists: options.checkStatusLists === true },
        memory,
      ),
    );
  }

  // Sorted, and no spare capacity: a batch holds ten thousand of these arrays.
  report.checks = report.checks.sort(byCheckOrder).slice();
  report.result = combine(report.checks);
  return report;
}

/**
 * A record's report with its embedded credentials' reports: an `embedded` check that passes when every one is
 * valid and the record's subject's, and names each that is not. The record is no more valid than its worst part.
 */
function withEmbedded(report: CredentialReport, embedded: CredentialReport[]): void {
  report.embedded = embedded;
  const subject = report.credential.subject;
  const bad = embedded.flatMap((r, i) => {
    const name = r.credential.id ?? r.credential.name ?? `credential ${i + 1}`;
    if (r.result !== "valid") {
      const code = r.checks.find((c) => c.outcome === r.result.replace("invalid", "fail"))?.code ?? r.result;
      return [{ index: i, id: r.credential.id, result: r.result, code, text: `${name}: ${r.result} (${code})` }];
    }
    if (subject !== undefined && r.credential.subject !== subject) {
      return [
        {
          index: i,
          id: r.credential.id,
          result: "invalid" as const,
          code: "embedded_subject_mismatch",
          text: `${name}: about ${r.credential.subject ?? "no subject"}, not ${subject}`,
        },
      ];
    }
    return [];
  });
  const outcome = bad.some((b) => b.result === "invalid") ? "fail" : bad.length > 0 ? "unknown" : "pass";
  report.checks = [
    ...report.checks,
    outcome === "pass"
      ? {
          id: "embedded",
          outcome,
          code: "embedded_valid",
          message: `Every embedded credential (${embedded.length}) is valid and the record's subject's.`,
        }
      : {
          id: "embedded",
          outcome,
          code: outcome === "fail" ? "embedded_invalid" : "embedded_unknown",
          message: `${bad.length} of ${embedded.length} embedded credential${embedded.length === 1 ? "" : "s"} ${bad.length === 1 ? "is" : "are"} not valid: ${bad.map((b) => b.text).join("; ")}.`,
          details: {
            failed: bad.map(({ index, id, result, code }) => ({
              index,
              ...(id !== undefined && { id }),
              result,
              code,
            })),
          },
        },
  ];
  report.result = combine(report.checks);
}

function summarize(credential: Record<string, unknown>, jwt: DecodedJwt, memory: VerifierMemory): CredentialSummary {
  const s: CredentialSummary = {};
  // Values credentials of one issuer repeat are shared (see VerifierMemory.intern); ids and subjects are their own.
  const shared = (v: string) => memory.text(`sm|${v}`, () => v);
  const issuer = credential.issuer as { id?: string; name?: string } | string | undefined;
  if (typeof credential.id === "string") s.id = credential.id;
  if (typeof issuer === "string") s.issuer = shared(issuer);
  else if (issuer !== undefined) {
    if (typeof issuer.id === "string") s.issuer = shared(issuer.id);
    if (typeof issuer.name === "string") s.issuerName = shared(issuer.name);
  }
  const subject = credential.credentialSubject as { id?: string } | undefined;
  if (typeof subject?.id === "string") s.subject = subject.id;
  if (Array.isArray(credential.type)) {
    const types = credential.type.filter((t): t is string => typeof t === "string");
    s.types = memory.intern(`ty|${JSON.stringify(types)}`, () => types);
  }
  if (typeof credential.name === "string") s.name = shared(credential.name);
  if (typeof jwt.payload.nbf === "number") s.issuedAt = jwt.payload.nbf;
  if (typeof jwt.payload.exp === "number") s.expiresAt = jwt.payload.exp;
  return s;
}

/**
 * An accreditation chain as reports show it, issuer first: each link as it stood at `at` (by default now), with its
 * status now when that differs. Names come only from `names`, the verifier's own aliases: never from a credential.
 */
export function describeChain(
  chain: readonly ChainLink[],
  scope: Pick<VerifierScope, "networkName">,
  names: ReadonlyMap<string, string> | undefined,
  at?: bigint,
  memory?: VerifierMemory,
): TrustChainEntry[] {
  return chain.map((link) => {
    const { address, ...view } = linkView(link, at);
    const make = () => `did:ethr:${scope.networkName}:${address}`;
    const did = memory === undefined ? make() : memory.text(`did|${scope.networkName}|${address}`, make);
    const entry: TrustChainEntry = { address, did, ...view, scope: view.scope.map((id) => ({ id })) };
    const name = names?.get(link.subject);
    if (name !== undefined) entry.name = name;
    return entry;
  });
}
