import { existsSync } from "node:fs";
import { join } from "node:path";
import { createAgent, type IResolver, type TAgent } from "@veramo/core";
import { DIDResolverPlugin } from "@veramo/did-resolver";
import type { JsonRpcProvider } from "ethers";
import { createLerAgent, ethrResolver, openHome, type LerAgent } from "../agent/agent.js";
import { LerPlugin } from "../agent/plugin.js";
import type { ILerPlugin } from "../agent/types.js";
import { checkDeploymentOnChain } from "../agent/chainOfHome.js";
import { connectNetworkWithin, unprobedNetwork, type LerNetwork } from "../agent/network.js";
import { ChainError, LerError } from "../errors.js";
import type { IssuedLedgerStore } from "../issue/issued.js";
import { openIssuerStore, type IssuerStore } from "../agent/store.js";
import { Wallet } from "../wallet/store.js";
import { deploymentsDirToRead, type Settings } from "./config.js";
import { devFunder } from "./devchain.js";
import type { Output } from "./output.js";
import { keyStoreSecret } from "./secret.js";

/** An agent that verifies and reads the registries: no key store, so no secret. */
export type ReaderAgent = TAgent<ILerPlugin & IResolver>;

/**
 * How a command reaches the chain:
 * - `chain`: it reads or writes state that must be this network's: the endpoint is probed and must serve the
 *   record's chain id (unreachable or wrong chain: exit 2);
 * - `verify`: as `chain`, but an unreachable endpoint is not an error: verification reports `unknown`;
 * - `local`: it only needs the network's name and addresses (key store, wallet): nothing is sent.
 */
export type NetworkMode = "chain" | "verify" | "local";

/** The state of one command: settings, output, and the network and agents, opened when first asked for. */
export class Session {
  readonly settings: Settings;
  readonly out: Output;
  #network: Promise<LerNetwork> | undefined;
  #mode: NetworkMode | undefined;
  #agent: Promise<LerAgent> | undefined;
  #agentMode: NetworkMode | undefined;
  #reader: ReaderAgent | undefined;
  #secret: Promise<string> | undefined;
  #keyStore: ReturnType<typeof openHome> | undefined;
  #store: Promise<IssuerStore> | undefined;
  #closers: (() => void | Promise<void>)[] = [];
  /**
   * When a verification's `--timeout` started counting (ms): the command's start (`Settings.startedAt`), else the
   * endpoint's probe; the probe and the reads share it. Only in `verify` mode, which never waits for a person (a
   * `chain` mode command may ask for the secret after its probe).
   */
  #probedAt: number | undefined;

  constructor(settings: Settings, out: Output) {
    this.settings = settings;
    this.out = out;
  }

  network(mode: NetworkMode): Promise<LerNetwork> {
    if (this.#network !== undefined && this.#mode !== undefined && rank(this.#mode) >= rank(mode)) return this.#network;
    this.#mode = mode;
    this.#network = this.#open(mode);
    return this.#network;
  }

  async #open(mode: NetworkMode): Promise<LerNetwork> {
    const { rpcUrl, network } = this.settings;
    const deploymentsDir = deploymentsDirToRead(this.settings);
    let net: LerNetwork;
    if (mode === "local") {
      net = this.#unprobed(deploymentsDir);
    } else {
      if (mode === "verify") this.#probedAt ??= this.settings.startedAt ?? Date.now();
      try {
        net = await connectNetworkWithin({
          rpcUrl,
          network,
          deploymentsDir,
          timeoutMs: this.#readBudgetMs(mode) ?? PROBE_TIMEOUT_MS,
        });
        // Its contracts must be on that chain, and it the chain the home was used with (a dev chain restarted empty).
        net = await checkDeploymentOnChain(net, {
          home: this.settings.home,
          mode,
          timeoutMs: this.#readBudgetMs(mode) ?? PROBE_TIMEOUT_MS,
        });
      } catch (e) {
        if (!(
          mode === "verify" &&
          e instanceof ChainError &&
          (e.code === "chain_unreachable" || e.code === "chain_timeout")
        ))
          throw e;
        // The verifier still gets a report: every check that needs the chain comes out `unknown`.
        net = this.#unprobed(deploymentsDir);
      }
    }
    this.#closers.push(() => net.provider.destroy());
    return net;
  }

  #unprobed(deploymentsDir: string): LerNetwork {
    const { rpcUrl, network } = this.settings;
    return unprobedNetwork({ rpcUrl, network, deploymentsDir });
  }

  /**
   * The full agent: key store (asks for the secret), identities, issuing, registry writes. A command asks for it
   * in one mode: an agent opened `local` has no funding and an unprobed network, so it must not be reused to write.
   */
  agent(mode: NetworkMode = "chain"): Promise<LerAgent> {
    if (this.#agentMode !== undefined && rank(mode) > rank(this.#agentMode)) {
      throw new LerError("internal_error", `The agent was opened for ${this.#agentMode} use, not ${mode}.`);
    }
    this.#agentMode ??= mode;
    this.#agent ??= (async () => {
      const network = await this.network(mode);
      const secret = await this.#secretOnce();
      const keyStore = await this.#openKeyStore();
      const fund = mode === "chain" ? await devFunder(network.provider as JsonRpcProvider, network.chainId) : undefined;
      // Without --store the plugin keeps its state in the home, as it always did.
      const store = this.settings.storeUrl === undefined ? undefined : await this.store();
      return createLerAgent({
        network,
        home: this.settings.home,
        secret,
        keyStore,
        ...(store !== undefined && { store }),
        ...(fund !== undefined && { fund }),
        ...(this.settings.confirmations !== undefined && { confirmations: this.settings.confirmations }),
        ...(this.settings.readTimeoutMs !== undefined && { readTimeoutMs: this.settings.readTimeoutMs }),
        ...(this.settings.maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds: this.settings.maxHeadAgeSeconds }),
      });
    })();
    return this.#agent;
  }

  /** The key store's secret (LER_SECRET, or asked for once per command). */
  #secretOnce(): Promise<string> {
    this.#secret ??= keyStoreSecret(this.settings.home);
    return this.#secret;
  }

  /**
   * The home's key store, opened (created if need be) and unlocked once per command: the agent, the wallet and the
   * issued ledger share it, so the secret's scrypt runs once.
   */
  #openKeyStore(): ReturnType<typeof openHome> {
    this.#keyStore ??= this.#secretOnce().then((secret) => openHome(this.settings.home, secret));
    return this.#keyStore;
  }

  /** The holder's wallet in the home: encrypted with the key store's secret, which opening it asks for. */
  async wallet(): Promise<Wallet> {
    return new Wallet(this.settings.home, (await this.#openKeyStore()).storeKeys);
  }

  /** The issued-credentials ledger (the store's): encrypted with the key store's secret, which opening it asks for. */
  async ledger(): Promise<IssuedLedgerStore> {
    return (await this.store()).ledger;
  }

  /**
   * The issuer store: the database of `--store` (LER_STORE_URL), else the home's files; opened once per command and
   * closed with it. Its sealed parts use the home's key store, whose secret opening it asks for.
   */
  store(): Promise<IssuerStore> {
    this.#store ??= this.#openKeyStore().then(async ({ storeKeys }) => {
      const store = await openIssuerStore({ url: this.settings.storeUrl, home: this.settings.home, keys: storeKeys });
      this.#closers.push(() => store.close());
      return store;
    });
    return this.#store;
  }

  /**
   * What is left of `--timeout` (default 10 s) for a verification's reads after the endpoint's probe: a verifier gets
   * its answer within the timeout, however long the probe took (a probe that timed out leaves a last short try).
   */
  #readBudgetMs(mode: NetworkMode): number | undefined {
    if (mode !== "verify" || this.#probedAt === undefined) return this.settings.readTimeoutMs;
    const budget = this.settings.readTimeoutMs ?? PROBE_TIMEOUT_MS;
    // Counted from the command's start, the timeout also leaves the time to write the answer and exit.
    const reserve = this.settings.startedAt !== undefined ? ANSWER_RESERVE_MS : 0;
    return Math.max(MIN_READ_MS, budget - reserve - (Date.now() - this.#probedAt));
  }

  /** An agent with the LER plugin and the did:ethr resolver only: verifying and reading need no keys. */
  async reader(mode: NetworkMode = "verify"): Promise<ReaderAgent> {
    if (this.#reader !== undefined) return this.#reader;
    const network = await this.network(mode);
    const readTimeoutMs = this.#readBudgetMs(mode);
    this.#reader = createAgent<ILerPlugin & IResolver>({
      plugins: [
        new DIDResolverPlugin(ethrResolver(network)),
        new LerPlugin({
          network,
          home: this.settings.home,
          ...(readTimeoutMs !== undefined && { readTimeoutMs }),
          ...(this.settings.maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds: this.settings.maxHeadAgeSeconds }),
        }),
      ],
    });
    return this.#reader;
  }

  /**
   * The aliases of the key store's identities, by address, to label addresses in human output. Only when the
   * store can be opened without asking (LER_SECRET set, or already open): a verifier is never prompted.
   */
  async localNames(): Promise<Map<string, string>> {
    let agent: LerAgent | undefined = this.#agent === undefined ? undefined : await this.#agent;
    if (agent === undefined) {
      const secret = process.env.LER_SECRET;
      if (secret === undefined || secret === "" || !existsSync(join(this.settings.home, "keystore.json")))
        return new Map();
      try {
        agent = await createLerAgent({ network: await this.network("local"), home: this.settings.home, secret });
      } catch (e) {
        // Labels are a convenience: a secret for another store must not stop a verification.
        if (e instanceof LerError && e.code === "wrong_secret") return new Map();
        throw e;
      }
    }
    const names = new Map<string, string>();
    for (const i of await agent.lerListIdentities({})) if (i.alias !== undefined) names.set(i.address, i.alias);
    return names;
  }

  onClose(fn: () => void | Promise<void>): void {
    this.#closers.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.#closers.reverse()) await fn();
    this.#closers = [];
  }
}

/** How long the first contact with the endpoint may take (an address that drops packets would hang forever). */
const PROBE_TIMEOUT_MS = 10_000;
/** The least time a verification's reads are given after the probe used up the timeout. */
const MIN_READ_MS = 250;
/** What a whole-command timeout keeps for reporting `unknown` and exiting once the reads gave up. */
const ANSWER_RESERVE_MS = 200;

function rank(mode: NetworkMode): number {
  return mode === "local" ? 0 : mode === "verify" ? 1 : 2;
}
