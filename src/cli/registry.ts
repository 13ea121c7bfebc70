import { Contract } from "ethers";
import { projectArtifact } from "../chain/artifacts.js";
import type { LerNetwork } from "../chain/network.js";
import { chainRead } from "../chain/reads.js";
import { Verdict, verdictCode } from "../verify/trust.js";

/** Small registry reads the CLI shows to people (type names, anchors); verification uses the batched reads. */

function trust(network: LerNetwork): Contract {
  return new Contract(network.deployment.contracts.TrustRegistry.address, projectArtifact("TrustRegistry").abi, network.provider);
}

function status(network: LerNetwork): Contract {
  return new Contract(network.deployment.contracts.StatusRegistry.address, projectArtifact("StatusRegistry").abi, network.provider);
}

/** Every registered credential type, by id. */
export async function registeredTypes(network: LerNetwork): Promise<{ id: number; name: string }[]> {
  const t = trust(network);
  const n = Number(await chainRead("typeCount", () => t.getFunction("typeCount")()));
  const names = await Promise.all(Array.from({ length: n }, (_, id) => chainRead("typeName", () => t.getFunction("typeName")(id) as Promise<string>)));
  return names.map((name, id) => ({ id, name }));
}

/** When `issuer` anchored `root`, or undefined when it did not. */
export async function anchorOf(network: LerNetwork, issuer: string, root: string): Promise<{ timestamp: number; block: number } | undefined> {
  const s = status(network);
  const a = (await chainRead("anchorOf", () => s.getFunction("anchorOf")(issuer, root))) as [bigint, bigint];
  return a[0] === 0n ? undefined : { timestamp: Number(a[0]), block: Number(a[1]) };
}

/** The registry's own answer to "is `subject` trusted for type `typeId` at `at`?" (`TrustRegistry.trustedAt`). */
export async function trustedAt(
  network: LerNetwork,
  subject: string,
  typeId: number,
  at: number,
): Promise<{ verdict: Verdict; code: string; failedAt: string; root: string }> {
  const t = trust(network);
  const [v, failedAt, root] = (await chainRead("trustedAt", () => t.getFunction("trustedAt")(subject, typeId, at))) as [bigint, string, string];
  const verdict = Number(v) as Verdict;
  const code = verdict === Verdict.Trusted ? "trusted" : verdictCode(verdict, failedAt.toLowerCase() === subject.toLowerCase());
  return { verdict, code, failedAt, root };
}

/** The chain's latest block time (the registry's idea of now). */
export async function chainNow(network: LerNetwork): Promise<number> {
  const block = await chainRead("getBlock", () => network.provider.getBlock("latest"));
  return block?.timestamp ?? Math.floor(Date.now() / 1000);
}
