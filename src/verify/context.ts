import type { Provider } from "ethers";
import type { VerificationCache } from "../chain/cache.js";
import type { Deployment } from "../chain/deployments.js";
import type { ReadOptions } from "../chain/reads.js";
import type { VerifierMemory } from "./memory.js";
import type { StatusListFetch, StatusListLimits } from "./statusLists.js";

/** The chain a verifier judges against, as the checks see it: its registries and the name did:ethr DIDs use for it. */
export interface VerifierScope {
  deployment: Deployment;
  /** The DID network name of this chain (`did:ethr:<name>:0x…`); the hex chain id is accepted too. */
  networkName: string;
}

/** Where to read: the chain, its registries, and the name did:ethr DIDs use for it. */
export interface VerifierContext extends VerifierScope {
  provider: Provider;
  /**
   * The verifier's memory (src/verify/memory.ts): made once by whoever runs verifications for a while (an agent, a
   * server, a pool's thread) with `createVerifierMemory()`. Without one, a verification remembers nothing from the
   * last (it reads the chain afresh).
   */
  memory?: VerifierMemory;
  /**
   * Chain reads to reuse (see src/chain/cache.ts: an answer is reused only at the block it was read at, so a change on
   * chain is seen by the next verification). Default: the memory's cache for this provider. `false`: read everything
   * afresh each time.
   */
  cache?: VerificationCache | false;
  /**
   * How Bitstring Status List credentials are fetched (see src/verify/statusLists.ts): default `fetch`; tests pass
   * their own; `false` fetches nothing, and every standard-only status is then `unknown`.
   */
  fetchStatusList?: StatusListFetch | false;
  /**
   * The JSON-RPC endpoint `provider` reads (http:// or https://): needed only to verify on worker threads
   * (`VerifyBatchOptions.threads`), whose threads connect on their own.
   */
  rpcUrl?: string;
}

export interface VerifyOptions {
  /** The verifier's clock, in seconds. The faces pass the wall clock; tests pass a fixed time. */
  now: number;
  /** Tolerance for the validity window, in seconds. */
  clockSkewSeconds?: number;
  /** Roots (addresses or did:ethr) this verifier trusts; by default every root the registry's governance added. */
  trustedRoots?: readonly string[];
  /**
   * The verifier's own names for addresses, shown in trust chains (`TrustChainEntry.name`). The only source of names
   * there: a name the credential claims for its issuer is reported as its claim (`CredentialSummary.issuerName`).
   */
  names?: ReadonlyMap<string, string>;
  read?: ReadOptions;
  /**
   * Also fetch the status list credentials an LER's BitstringStatusListEntry entries name and compare them with the
   * chain (`status_list_agrees` / `status_list_disagrees`). The chain still decides. Lists that are a status of their
   * own (a credential with standard entries only) are always fetched.
   */
  checkStatusLists?: boolean;
  /** Size, time and count limits of status list fetches. */
  statusLists?: StatusListLimits;
}
