/**
 * The world the verification and issuance benchmarks run in: a chain reached over JSON-RPC with the registries
 * deployed, a governance root, an accreditor, issuers accredited under it (some with DID documents that changed
 * several times: owner rotations, signing delegates, public-key attributes), and credentials issued through the
 * agent (`lerIssueCredentials`: signed, status indices allocated, batch root anchored), a share of them revoked.
 *
 * Keys are fixed (derived from labels), so identities, DIDs and scopes are the same on every run.
 */
import { Contract, encodeBytes32String, Wallet, type JsonRpcProvider } from "ethers";
import type { LerAgent } from "../../src/agent/agent.js";
import type { CredentialRequest } from "../../src/agent/types.js";
import { didRegistryArtifact } from "../../src/chain/artifacts.js";
import type { LerNetwork } from "../../src/chain/network.js";
import { achievement, type Achievement } from "../../src/credentials/index.js";
import { createWorld } from "../../test/helpers/world.js";
import { pseudoAddress, pseudoHash } from "./values.js";
import { HISTORIES, type DidHistory, type WorldData, type WorldIssuer } from "./worldFile.js";

export type { DidHistory, WorldCredential, WorldData, WorldIssuer } from "./worldFile.js";
export { readWorld, writeWorld } from "./worldFile.js";

export const NETWORK_NAME = "benchnet";
export const TYPES = ["Degree", "Certificate", "Course", "Competency"] as const;

export interface WorldSpec {
  issuers: number;
  /** Credentials per issuer, issued in one `lerIssueCredentials` batch each. */
  perIssuer: number;
  /** Issuers (the first ones) whose DID documents change before issuance. */
  withHistory: number;
  /** Credentials revoked per issuer (on chain, with revokeWords), after issuance. */
  revokedPerIssuer: number;
}

export interface World extends WorldData {
  agent: LerAgent;
  /** The agent's home (its encrypted key store). */
  home: string;
  network: LerNetwork;
  provider: JsonRpcProvider;
  close(): Promise<void>;
}

const SECRET = "bench secret, not a real one";

export interface WorldHooks {
  log?: (line: string) => void;
  /** Called around each issuance batch (the issuance benchmark times them). */
  onIssued?: (batch: { issuer: number; count: number; ms: number; anchorGas: number }) => void;
}

/** Accounts and accreditations, without credentials. */
export async function buildRegistry(rpcUrl: string, spec: WorldSpec, hooks: WorldHooks = {}): Promise<World> {
  const log = hooks.log ?? (() => {});
  const key = (label: string, i = 0) => pseudoHash(`world/${label}`, i);
  const base = await createWorld("json-rpc", {
    rpcUrl,
    networkName: NETWORK_NAME,
    secret: SECRET,
    governorKey: key("governor"),
    homePrefix: "ler-bench-",
  });
  const { agent, network, fund } = base;
  const provider = network.provider as JsonRpcProvider;
  const deployment = network.deployment;
  const governor = { did: base.governor };
  for (const name of TYPES) await agent.lerRegisterType({ governor: governor.did, name });
  const root = await agent.lerImportIdentity({ alias: "Qualifications Authority", privateKeyHex: key("root") });
  const accreditor = await agent.lerImportIdentity({ alias: "Regional Accreditor", privateKeyHex: key("accreditor") });
  await agent.lerAddRoot({ governor: governor.did, root: root.did, types: [...TYPES] });
  await agent.lerAccredit({ accreditor: root.did, subject: accreditor.did, role: "accreditor", types: [...TYPES] });
  log(`registries deployed, root and accreditor accredited`);

  const didRegistry = didRegistryArtifact().abi;
  const issuers: WorldIssuer[] = [];
  for (let i = 0; i < spec.issuers; i++) {
    const privateKeyHex = key("issuer", i);
    const id = await agent.lerImportIdentity({ alias: `Issuer ${i + 1}`, privateKeyHex });
    await agent.lerAccredit({ accreditor: accreditor.did, subject: id.did, role: "issuer", types: [...TYPES] });
    const history: DidHistory = i < spec.withHistory ? HISTORIES[i % HISTORIES.length]! : "none";
    let didEvents = 0;
    // Attributes are written with the identity's original key, while it is still the owner.
    const asOwner = new Contract(
      deployment.contracts.EthereumDIDRegistry.address,
      didRegistry,
      new Wallet(privateKeyHex, provider),
    );
    const attribute = async (n: number) => {
      if ((await provider.getBalance(id.address)) === 0n) await fund(id.address);
      const pub = new Wallet(key(`issuer/attribute/${n}`, i)).signingKey.compressedPublicKey;
      const name = encodeBytes32String("did/pub/Secp256k1/veriKey/hex");
      await (await asOwner.getFunction("setAttribute")(id.address, name, pub, 10 * 365 * 24 * 3600)).wait();
      didEvents++;
    };
    const rotate = async () => {
      await agent.lerRotateOwner({ did: id.did });
      didEvents++;
    };
    const delegate = async () => {
      await agent.lerAddDelegate({ did: id.did });
      didEvents++;
    };
    if (history === "rotated twice") {
      await rotate();
      await rotate();
    } else if (history === "delegate + attribute") {
      await delegate();
      await attribute(0);
    } else if (history === "rotated + delegate") {
      await rotate();
      await delegate();
    } else if (history === "2 attributes + delegate") {
      await attribute(0);
      await attribute(1);
      await delegate();
    }
    issuers.push({ did: id.did, address: id.address, history, didEvents });
  }
  log(`${spec.issuers} issuers accredited, ${spec.withHistory} with DID history`);
  const head = await provider.getBlock("latest");
  return {
    rpcUrl,
    networkName: NETWORK_NAME,
    deployment,
    issuers,
    credentials: [],
    chainTime: head!.timestamp,
    headBlock: head!.number,
    agent,
    home: base.home,
    network,
    provider,
    close: base.close,
  };
}

const PROGRAMS: Achievement[] = TYPES.map((type, i) =>
  achievement({
    id: `https://issuer.example/programs/${type.toLowerCase()}/${i}`,
    name: `${type} in Applied Data Science`,
    description: `A ${type.toLowerCase()} awarded after assessment against the programme's learning outcomes.`,
    criteria: { narrative: "Completed every required module and passed the final assessment." },
    achievementType: type,
    alignments: [
      { targetName: "Data analysis", targetUrl: "https://esco.example/skill/data-analysis", targetFramework: "ESCO" },
      { targetName: "Statistics", targetUrl: "https://esco.example/skill/statistics", targetFramework: "ESCO" },
    ],
  }),
);

/** The credential requests of one issuer's batch: fixed subjects, one achievement type per issuer. */
export function requestsFor(issuer: number, count: number): CredentialRequest[] {
  const program = PROGRAMS[issuer % PROGRAMS.length]!;
  return Array.from({ length: count }, (_, k) => ({
    subject: `did:ethr:${NETWORK_NAME}:${pseudoAddress(`world/learner/${issuer}`, k)}`,
    achievement: program,
  }));
}

/** Issues, revokes a share, and changes some DID documents after issuance. */
export async function issueAll(world: World, spec: WorldSpec, hooks: WorldHooks = {}): Promise<void> {
  const log = hooks.log ?? (() => {});
  const { agent } = world;
  for (let i = 0; i < world.issuers.length; i++) {
    const issuer = world.issuers[i]!;
    const started = performance.now();
    const result = await agent.lerIssueCredentials({ issuer: issuer.did, credentials: requestsFor(i, spec.perIssuer) });
    hooks.onIssued?.({
      issuer: i,
      count: spec.perIssuer,
      ms: performance.now() - started,
      anchorGas: result.anchor?.gasUsed ?? 0,
    });
    // Revoke evenly spread entries: 2% of a batch is a handful of bits in each of its words.
    const stride = Math.max(1, Math.floor(spec.perIssuer / Math.max(1, spec.revokedPerIssuer)));
    const revoked = new Set<number>();
    for (let k = 0; k < spec.revokedPerIssuer; k++) revoked.add((k * stride + (i % stride)) % spec.perIssuer);
    if (revoked.size > 0) {
      await agent.lerRevoke({
        issuer: issuer.did,
        entries: [...revoked].map((k) => ({ list: result.credentials[k]!.list, index: result.credentials[k]!.index })),
      });
    }
    result.credentials.forEach((c, k) => {
      world.credentials.push({ jwt: c.jwt, issuer: i, expected: revoked.has(k) ? "revoked" : "valid" });
    });
    log(`issuer ${i + 1}/${world.issuers.length}: ${spec.perIssuer} issued, ${revoked.size} revoked`);
  }
  // A DID change after issuance: the keys at the anchored time and now differ, both must still verify.
  for (let i = 0; i < world.issuers.length; i++) {
    const issuer = world.issuers[i]!;
    if (issuer.history === "delegate + attribute" || issuer.history === "rotated twice") {
      await agent.lerAddDelegate({ did: issuer.did });
      issuer.didEvents++;
    }
  }
  const head = await world.provider.getBlock("latest");
  world.chainTime = head!.timestamp;
  world.headBlock = head!.number;
}

/** The plain-data part, for a child process. */
export function worldData(world: World): WorldData {
  const { rpcUrl, networkName, deployment, issuers, credentials, chainTime, headBlock } = world;
  return { rpcUrl, networkName, deployment, issuers, credentials, chainTime, headBlock };
}
