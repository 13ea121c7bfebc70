import type { Provider } from "ethers";
import { VerificationCache, type ChainCacheLimits } from "../chain/cache.js";
import type { EthrDid } from "../did/ethr.js";
import type { AllowedKeys, SignatureMemory } from "./jwt.js";
import type { StatusList } from "./statusLists.js";

/** How much a verifier remembers; every member has a default. */
export interface VerifierMemoryLimits {
  /** The chain cache of each provider (src/chain/cache.ts). */
  chain?: ChainCacheLimits;
  /** Shared report parts (messages, passing checks, trust chains, type lists) kept at once (default 50,000). */
  maxInterned?: number;
  /** Entries of each key memo: `jwk` header keys, issuer DIDs, learnt and allowed signing keys (default 10,000). */
  maxKeys?: number;
}

/**
 * What a verifier remembers between verifications: the chain reads it may reuse, and the results of pure work that
 * credentials repeat (parsed issuer DIDs, `jwk` header keys, signing keys learnt from signatures, status list
 * signature verdicts, report parts shared between reports). Nothing here changes a verdict: each memo holds the
 * answer of a pure function of its key (the chain cache reuses an answer only at the block it was read at).
 *
 * Made by whoever runs verifications for a while (an agent, a server, a pool's thread: `createVerifierMemory`) and
 * passed in `VerifierContext.memory`; every memo is bounded (cleared when full).
 */
export class VerifierMemory implements SignatureMemory {
  /** Public keys learnt from signatures that recovered to an address, by lowercase address (see jwt.ts). */
  readonly learnt = new Map<string, Uint8Array>();
  /** The addresses and public keys a key set allows, by the key set's content (see jwt.ts). */
  readonly allowedSets = new Map<string, AllowedKeys>();
  /** Signature verdicts per fetched status list and key set. */
  readonly listSignatures = new WeakMap<StatusList, Map<string, boolean>>();
  readonly maxKeys: number;
  private readonly maxInterned: number;
  private readonly interned = new Map<string, unknown>();
  private readonly headerKeys = new Map<string, Uint8Array>();
  private readonly issuers = new Map<string, EthrDid>();
  private readonly chainCaches = new WeakMap<Provider, VerificationCache>();

  constructor(private readonly limits: VerifierMemoryLimits = {}) {
    this.maxInterned = limits.maxInterned ?? 50_000;
    this.maxKeys = limits.maxKeys ?? 10_000;
  }

  /**
   * What many reports repeat, made once and shared: ten thousand reports of a batch hold one copy instead of ten
   * thousand. Strings are immutable; shared objects are frozen, so sharing is invisible to callers except that these
   * parts cannot be changed in place.
   */
  intern<T>(key: string, make: () => T): T {
    let value = this.interned.get(key) as T | undefined;
    if (value === undefined) {
      value = make();
      if (typeof value === "object" && value !== null) deepFreeze(value);
      if (this.interned.size >= this.maxInterned) this.interned.clear();
      this.interned.set(key, value);
    }
    return value;
  }

  /** A shared string (see `intern`). */
  text(key: string, make: () => string): string {
    return this.intern(`t|${key}`, make);
  }

  /** `make(key)`, remembered: public keys of JOSE `jwk` headers by their JSON. */
  headerKey(id: string, make: () => Uint8Array): Uint8Array {
    return remembered(this.headerKeys, id, make, this.maxKeys);
  }

  /** `make(iss)`, remembered: parsed issuer DIDs (parsing checks the address checksum, a keccak each time). */
  issuerDid(iss: string, make: () => EthrDid): EthrDid {
    return remembered(this.issuers, iss, make, this.maxKeys);
  }

  /** The chain reads to reuse for `provider`: one cache per provider object. */
  chainCacheOf(provider: Provider): VerificationCache {
    let cache = this.chainCaches.get(provider);
    if (cache === undefined) this.chainCaches.set(provider, (cache = new VerificationCache(this.limits.chain ?? {})));
    return cache;
  }
}

/** A verifier's memory: one per agent, server or pool thread, kept as long as it runs. */
export function createVerifierMemory(limits: VerifierMemoryLimits = {}): VerifierMemory {
  return new VerifierMemory(limits);
}

function remembered<V>(map: Map<string, V>, key: string, make: () => V, max: number): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    if (map.size >= max) map.clear();
    map.set(key, value);
  }
  return value;
}

export function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const v of Object.values(value)) if (typeof v === "object" && v !== null && !Object.isFrozen(v)) deepFreeze(v);
}

export function deepFrozen<T extends object>(value: T): T {
  deepFreeze(value);
  return value;
}

/**
 * The memory a verification through `ctx` uses: `ctx.memory`, else a new one for this call only (a caller that passes
 * none remembers nothing between calls; nothing is kept in module state).
 */
export function memoryOf(ctx: { memory?: VerifierMemory | undefined }): VerifierMemory {
  return ctx.memory ?? new VerifierMemory();
}
