import type { IIdentifier } from "@veramo/core";
import type { LerAgent } from "../../agent/agent.js";
import type { LerNetwork } from "../../agent/network.js";
import { ISSUANCE_ANCHOR_TYPE, type IssuanceAnchorProof } from "../../credentials/anchor.js";
import { joseCredentialPayload } from "../../credentials/jose.js";
import { anchorLeaf } from "../../credentials/merkle.js";
import { LerError } from "../../errors.js";
import { checkIssuable, readIssuableStanding } from "../../issue/accreditation.js";
import { addressOf, buildCredentials, joseHeader, signWithAnchor } from "../../issue/issue.js";
import type { CredentialRequest } from "../../issue/types.js";
import type { AnchorCoordinator, AnchorScope, IssuerStore } from "../../agent/store.js";
import { gathered } from "./gather.js";

/**
 * The issuing path of the issuer service: check the issuer's standing for the credentials' types, take status
 * indices, build the credentials, have the coordinator place their leaves in a batch, sign them with the anchor
 * proof inside, and put them in the ledger before anyone sees them. Every worker process runs one.
 */

/** An issuing identity of the key store, with what signing needs. */
export interface IssuerIdentity {
  did: string;
  /** Checksummed. */
  address: string;
  name: string;
  keyRef: string;
  publicKeyHex: string;
  /** The JOSE header of its credentials, base64url. */
  header: string;
}

/** One credential as the service hands it out. */
export interface ServiceCredential {
  id: string;
  jwt: string;
  list: string;
  index: number;
  /** The batch's Merkle root. */
  root: string;
  issuedAt: string;
}

export interface PipelineOptions {
  agent: LerAgent;
  network: LerNetwork;
  store: IssuerStore;
  coordinator: AnchorCoordinator;
  /** Unix seconds. */
  now: () => number;
  /** Indices reserved from the store at a time, per issuer (default 256). A worker that dies leaves a gap, never a reuse. */
  reserveBlock?: number;
  /** How long an issuer's standing for a type, once checked, is believed (default 5 s). */
  standingTtlMs?: number;
  statusListBaseUrl?: string;
  /**
   * Requests for one issuer arriving within this many ms of each other are issued together: one reservation, one
   * placement, one ledger append (default 2; 0: each alone).
   */
  gatherMs?: number;
}

export class IssuancePipeline {
  readonly #o: PipelineOptions;
  readonly #identities = new Map<string, Promise<IssuerIdentity>>();
  readonly #standing = new Map<string, number>();
  readonly #indices: IndexPool;
  readonly #gather: (issuer: string, requests: readonly CredentialRequest[]) => Promise<ServiceCredential[]>;

  constructor(options: PipelineOptions) {
    this.#o = options;
    this.#indices = new IndexPool(options.store, options.reserveBlock ?? 256);
    const together = gathered<readonly CredentialRequest[], ServiceCredential[]>(
      async (issuer, groups) => {
        const all = await this.#issueNow(issuer, groups.flat());
        let k = 0;
        return groups.map((g) => all.slice(k, (k += g.length)));
      },
      { waitMs: options.gatherMs ?? 2, max: 1024 },
    );
    this.#gather = options.gatherMs === 0 ? (issuer, requests) => this.#issueNow(issuer, requests) : together;
  }

  /** The anchor scope of `issuer` (an address) on this service's chain. */
  scope(issuer: string): AnchorScope {
    return {
      issuer: issuer.toLowerCase(),
      chainId: this.#o.network.chainId,
      registry: this.#o.network.deployment.contracts.StatusRegistry.address.toLowerCase(),
    };
  }

  /** The key store's identity for `address` (`unknown_identity` when the key store holds none). */
  identity(address: string): Promise<IssuerIdentity> {
    const key = address.toLowerCase();
    let found = this.#identities.get(key);
    if (found === undefined) {
      found = this.#findIdentity(address);
      this.#identities.set(key, found);
      found.catch(() => this.#identities.delete(key));
    }
    return found;
  }

  async #findIdentity(address: string): Promise<IssuerIdentity> {
    const wanted = addressOf(address);
    const all: IIdentifier[] = await this.#o.agent.didManagerFind();
    const identifier = all.find((i) => {
      try {
        return addressOf(i.did) === wanted;
      } catch {
        return false;
      }
    });
    const key = identifier?.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier?.keys[0];
    if (identifier === undefined || key === undefined) {
      throw new LerError("unknown_identity", `This service's key store holds no key for ${wanted}.`);
    }
    return {
      did: identifier.did,
      address: wanted,
      name: identifier.alias ?? identifier.did,
      keyRef: key.kid,
      publicKeyHex: key.publicKeyHex,
      header: joseHeader({ did: identifier.did, publicKeyHex: key.publicKeyHex }),
    };
  }

  /** Refuses types the issuer is not trusted for now (checked on chain, believed for `standingTtlMs`). */
  async #checkStanding(issuer: IssuerIdentity, types: readonly string[]): Promise<void> {
    const now = Date.now();
    const ttl = this.#o.standingTtlMs ?? 5000;
    const stale = [...new Set(types)].filter((t) => (this.#standing.get(`${issuer.address}:${t}`) ?? 0) <= now);
    if (stale.length === 0) return;
    const standing = await readIssuableStanding(this.#o.network, issuer.address, stale);
    checkIssuable(standing, issuer.address, stale, (a) => (a === issuer.address ? issuer.name : a));
    for (const t of stale) this.#standing.set(`${issuer.address}:${t}`, now + ttl);
  }

  /**
   * Issues `requests` (Open Badges 3.0, one achievement each) for `issuer` (an address), together with the other
   * requests for it that arrive meanwhile. Refused before anything is reserved or signed: an issuer this key store
   * has no key for, and types the issuer is not trusted for now.
   */
  async issue(issuerAddress: string, requests: readonly CredentialRequest[]): Promise<ServiceCredential[]> {
    if (requests.length === 0) throw new LerError("empty_batch", "Nothing to issue.");
    const issuer = await this.identity(issuerAddress);
    const types = requests.map((r) => {
      if (r.achievement === undefined)
        throw new LerError("missing_achievement", "Every credential names one achievement.");
      return r.achievement.achievementType;
    });
    await this.#checkStanding(issuer, types);
    return this.#gather(issuer.address, requests);
  }

  async #issueNow(issuerAddress: string, requests: readonly CredentialRequest[]): Promise<ServiceCredential[]> {
    const issuer = await this.identity(issuerAddress);
    const slots = await this.#indices.take(issuer.address, requests.length);
    const issuedAt = new Date(this.#o.now() * 1000);
    const credentials = buildCredentials(this.#o.network, {
      issuer,
      requests,
      issuedAt,
      slots,
      ...(this.#o.statusListBaseUrl !== undefined && { statusListBaseUrl: this.#o.statusListBaseUrl }),
    });
    const payloads = credentials.map((c) => joseCredentialPayload(c));
    const scope = this.scope(issuer.address);
    const placements = await this.#o.coordinator.place(
      scope,
      payloads.map((p) => anchorLeaf(p)),
    );
    const registry = this.#o.network.deployment.contracts.StatusRegistry.address;
    const out: ServiceCredential[] = [];
    for (let i = 0; i < payloads.length; i++) {
      const anchor: IssuanceAnchorProof = {
        type: ISSUANCE_ANCHOR_TYPE,
        chainId: this.#o.network.chainId,
        registry,
        root: placements[i]!.root,
        proof: placements[i]!.proof,
      };
      const jwt = await signWithAnchor(this.#o.agent, issuer.keyRef, issuer.header, payloads[i]!, anchor);
      out.push({
        id: credentials[i]!.id as string,
        jwt,
        list: slots[i]!.list.toString(),
        index: slots[i]!.index,
        root: anchor.root,
        issuedAt: issuedAt.toISOString(),
      });
    }
    await this.#o.store.ledger.appendIssued(
      issuer.address,
      out.map((c) => ({
        id: c.id,
        jwt: c.jwt,
        list: BigInt(c.list),
        index: c.index,
        batch: c.root,
        issuedAt: c.issuedAt,
      })),
    );
    return out;
  }
}

/**
 * Status indices handed out from blocks reserved in the store, so that a worker goes to the database once per
 * `block` credentials, not once per request. The store never hands out an index twice; a block a worker does not use
 * up before it stops (or dies) is a gap in the issuer's lists, which costs nothing.
 */
export class IndexPool {
  readonly #runs = new Map<string, { list: bigint; next: number; end: number }[]>();
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: Pick<IssuerStore, "allocator">,
    private readonly block: number,
  ) {}

  async take(issuer: string, count: number): Promise<{ list: bigint; index: number }[]> {
    const key = issuer.toLowerCase();
    // One taker per issuer at a time: the runs are shared state and a reservation is awaited in between.
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const mine = previous.then(() => this.#take(key, issuer, count));
    this.#locks.set(
      key,
      mine.catch(() => undefined),
    );
    return mine;
  }

  async #take(key: string, issuer: string, count: number): Promise<{ list: bigint; index: number }[]> {
    let runs = this.#runs.get(key);
    if (runs === undefined) this.#runs.set(key, (runs = []));
    const have = runs.reduce((n, r) => n + (r.end - r.next), 0);
    if (have < count) {
      const fresh = await this.store.allocator.reserve(issuer, Math.max(this.block, count - have));
      for (const a of fresh) runs.push({ list: a.list, next: a.start, end: a.start + a.count });
    }
    const out: { list: bigint; index: number }[] = [];
    while (out.length < count) {
      const run = runs[0]!;
      out.push({ list: run.list, index: run.next++ });
      if (run.next === run.end) runs.shift();
    }
    return out;
  }
}
