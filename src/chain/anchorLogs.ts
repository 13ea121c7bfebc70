import { getAddress, Interface, type Provider } from "ethers";
import { projectArtifact } from "./artifacts.js";
import { getLogs } from "./logs.js";
import type { RpcCallOptions } from "./rpc.js";

/** The transaction that landed an issuance anchor, from its `IssuanceAnchored` log (the block is `readAnchor`'s). */

const statusIface = new Interface(projectArtifact("StatusRegistry").abi);
const anchoredEvent = statusIface.getEvent("IssuanceAnchored")!;

/**
 * The hash of the transaction whose `IssuanceAnchored` log in `block` records `issuer`'s anchor of `root` on the
 * StatusRegistry at `registry`; undefined when that block holds no such log.
 */
export async function anchorTransaction(
  provider: Provider,
  registry: string,
  issuer: string,
  root: string,
  block: number,
  options: RpcCallOptions = {},
): Promise<string | undefined> {
  const logs = await getLogs(
    provider,
    {
      address: registry,
      topics: [anchoredEvent.topicHash, `0x${getAddress(issuer).slice(2).toLowerCase().padStart(64, "0")}`],
      fromBlock: block,
      toBlock: block,
    },
    options,
  );
  const log = logs.find(
    (l) =>
      (statusIface.decodeEventLog(anchoredEvent, l.data, l.topics)[1] as string).toLowerCase() === root.toLowerCase(),
  );
  return log?.transactionHash;
}
