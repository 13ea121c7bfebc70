import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";
import { parseEther, Wallet, type JsonRpcProvider } from "ethers";
import { createLerAgent, type LerAgent } from "../../src/agent/agent.js";
import { deploymentPath, writeDeployment } from "../../src/chain/deployments.js";
import { signerFrom } from "../../src/chain/provider.js";
import { achievement } from "../../src/credentials/index.js";
import { openKeyStore } from "../../src/store/keystore.js";
import { rejection } from "../helpers/assert.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { startFixture } from "../helpers/children.js";

// Keys at the agent level (the key store itself is tested in test/store/keystore.test.ts): no private key is ever
// printed, logged (even with DEBUG=*), returned, put in an error, or left readable in the agent's home; a wrong
// secret is refused clearly when the agent is created.

const SECRET = "key hygiene secret";
const degree = achievement({
  id: "https://keys.example/degree",
  name: "Degree in Key Hygiene",
  description: "Never print a private key.",
  criteria: { narrative: "Kept every key secret." },
  achievementType: "Degree",
});

/** Every spelling of a private key a leak could take. */
function spellings(hex: string): string[] {
  const h = hex.replace(/^0x/, "").toLowerCase();
  const raw = Buffer.from(h, "hex");
  return [h, h.toUpperCase(), raw.toString("base64"), raw.toString("base64url")];
}

/** The private keys of a home's key store, decrypted with its secret. */
async function privateKeysOf(home: string): Promise<string[]> {
  const store = await openKeyStore(home, SECRET);
  const sealed = Object.values(store.json.privateKeys ?? {}).map((k) => k.privateKeyHex);
  return Promise.all(sealed.map((s) => store.secretBox.decrypt(s)));
}

function leaksIn(text: string, keys: readonly string[]): string[] {
  return keys.flatMap((k) =>
    spellings(k)
      .filter((s) => text.includes(s))
      .map((s) => `${k.slice(0, 6)}… as ${s.slice(0, 6)}…`),
  );
}

/** Everything written to stdout, stderr and the console while `run` runs (still passed through). */
async function captured<T>(run: () => Promise<T>): Promise<{ value: T; output: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((s) => s.write);
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  const saved = methods.map((m) => console[m]);
  streams.forEach((s, i) => {
    s.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (writes[i] as (...a: unknown[]) => boolean).call(s, chunk, ...rest);
    }) as typeof s.write;
  });
  methods.forEach((m) => {
    console[m] = (...args: unknown[]) => void chunks.push(format(...args));
  });
  try {
    return { value: await run(), output: chunks.join("") };
  } finally {
    streams.forEach((s, i) => (s.write = writes[i]!));
    methods.forEach((m, i) => (console[m] = saved[i]!));
  }
}

/** Every file under `dir`, read as latin1 (so any byte sequence is searchable). */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, text: readFileSync(path).toString("latin1") }];
  });
}

describe("reliability: keys are never printed, logged or left in the clear", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let root: string;
  let home: string;
  let agent: LerAgent;
  const imported = Wallet.createRandom();
  const errors: string[] = [];
  let output = "";
  let issuer: string;

  before(async () => {
    w = await createAgentWorld("json-rpc");
    root = mkdtempSync(join(tmpdir(), "ler-keys-agent-"));
    home = join(root, "home");
    const funder = await (w.network.provider as JsonRpcProvider).getSigner(0);
    const fund = async (address: string) =>
      void (await (await funder.sendTransaction({ to: address, value: parseEther("10") })).wait());
    const remember = (e: unknown) => {
      const err = e as Error & { details?: unknown; cause?: unknown };
      errors.push(
        `${String(err)}\n${err.stack ?? ""}\n${JSON.stringify(err.details ?? null)}\n${String(err.cause ?? "")}`,
      );
      return err;
    };
    // Everything an issuer and a holder do, and a few things that fail, with the output captured.
    const run = await captured(async () => {
      agent = await createLerAgent({ network: w.network, home, secret: SECRET, fund });
      const results: unknown[] = [];
      const uni = await agent.lerImportIdentity({ alias: "uni", privateKeyHex: imported.privateKey });
      issuer = uni.did;
      const ada = await agent.lerCreateIdentity({ alias: "ada" });
      results.push(uni, ada);
      // Governance (another agent) accredits the university, whose consent this agent signs.
      const authority = (await w.agent.lerCreateIdentity({ alias: "authority" })).did;
      await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
      await w.agent.lerAddRoot({ governor: w.governor, root: authority, types: ["Degree"] });
      const consent = await agent.lerSignAccreditationConsent({
        subject: issuer,
        accreditor: authority,
        role: "issuer",
        types: ["Degree"],
      });
      results.push(consent);
      await w.agent.lerAccredit({
        accreditor: authority,
        subject: issuer,
        role: "issuer",
        types: ["Degree"],
        consent: consent.consent,
        deadline: consent.deadline,
      });
      const issued = await agent.lerIssueCredentials({
        issuer,
        credentials: [0, 1, 2].map(() => ({ subject: ada.did, achievement: degree })),
      });
      results.push(issued);
      results.push(
        await agent.lerRevoke({
          issuer,
          entries: [{ list: issued.credentials[0]!.list, index: issued.credentials[0]!.index }],
        }),
      );
      results.push(await agent.lerRevokeByHash({ issuer, credentials: [issued.credentials[1]!.jwt] }));
      results.push(
        await agent.lerCreatePresentation({
          holder: ada.did,
          credentials: [issued.credentials[2]!.jwt],
          challenge: "c",
          domain: "d.example",
        }),
      );
      results.push(await agent.lerAddDelegate({ did: issuer }));
      results.push(await agent.lerRotateOwner({ did: issuer }));
      results.push(await agent.lerListIdentities({}));
      // Failures: a malformed key (the valid one with two more digits), a key the agent does not hold, a refused write.
      await agent.lerImportIdentity({ privateKeyHex: `${imported.privateKey}ab` }).catch(remember);
      await agent.lerImportIdentity({ privateKeyHex: imported.privateKey.slice(0, 40) }).catch(remember);
      await agent
        .lerIssueCredentials({
          issuer: "did:ethr:localnet:0x000000000000000000000000000000000000dEaD",
          credentials: [{ subject: ada.did, achievement: degree }],
        })
        .catch(remember);
      await agent
        .lerAccredit({ accreditor: issuer, subject: ada.did, role: "issuer", types: ["Degree"] })
        .catch(remember);
      await signerFrom(w.network.provider as JsonRpcProvider, {
        privateKey: `${imported.privateKey.slice(2)}zz`,
        allowUnlocked: false,
      }).catch(remember);
      return results;
    });
    output = `${run.output}\n${JSON.stringify(run.value)}`;
  });
  after(async () => {
    await w?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("the key store holds every key the agent made or imported (so the searches below search for them all)", async () => {
    const keys = await privateKeysOf(home);
    expect(keys).to.include(imported.privateKey.slice(2));
    // imported, ada, the delegate and the rotated-to owner
    expect(keys).to.have.length(4);
  });

  it("no private key appears in anything printed or logged, or in what the methods returned", async () => {
    const keys = await privateKeysOf(home);
    expect(leaksIn(output, keys)).to.deep.equal([]);
  });

  it("no private key appears in an error: message, stack, details or cause", async () => {
    expect(errors).to.have.length(5);
    expect(leaksIn(errors.join("\n"), await privateKeysOf(home))).to.deep.equal([]);
  });

  it("no private key lies in the clear anywhere in the agent's home (key store, ledger, allocations, intents)", async () => {
    const files = filesUnder(home);
    expect(files.map((f) => f.path).some((p) => p.includes("issued"))).to.equal(true);
    const keys = await privateKeysOf(home);
    const leaks = files.flatMap((f) => leaksIn(f.text, keys).map((l) => `${f.path}: ${l}`));
    expect(leaks).to.deep.equal([]);
  });

  it("a whole issuance in another process with DEBUG=* logs no key", async () => {
    const deployments = join(root, "deployments");
    writeDeployment(deploymentPath(deployments, w.network.name), w.network.deployment);
    const child = startFixture(
      "../reliability/agent-worker.ts",
      [w.network.rpcUrl!, deployments, w.network.name, home, issuer, "issue", "5", "1"],
      { LER_SECRET: SECRET, DEBUG: "*" },
    );
    expect(await child.exited, child.stderr()).to.deep.equal({ code: 0, signal: null });
    expect(child.stderr().length, "DEBUG=* did turn the logs on").to.be.greaterThan(0);
    const keys = await privateKeysOf(home);
    expect(leaksIn(`${child.lines.join("\n")}\n${child.stderr()}`, keys)).to.deep.equal([]);
  });

  it("a wrong secret is refused when the agent is created, clearly and without echoing either secret", async () => {
    const wrong = await rejection(createLerAgent({ network: w.network, home, secret: "not the secret" }));
    expect(wrong.code).to.equal("wrong_secret");
    expect(wrong.message)
      .to.match(/secret does not open the key store/)
      .and.match(/LER_SECRET/);
    expect(wrong.message).to.not.include("not the secret").and.not.include(SECRET);
    const none = await rejection(createLerAgent({ network: w.network, home, secret: "" }));
    expect(none.code).to.equal("missing_secret");
    // The right one still opens it: the failed attempts changed nothing.
    const again = await createLerAgent({ network: w.network, home, secret: SECRET });
    expect((await again.lerListIdentities({})).map((i) => i.alias).sort()).to.deep.equal(["ada", "uni"]);
  });
});
