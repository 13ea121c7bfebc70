/**
 * Deploys the LER registries and records them in deployments/<network>.json.
 *
 *   npm run deploy -- --rpc http://127.0.0.1:8545 --network localhost
 *   LER_DEPLOYER_KEY=... npm run deploy -- --rpc https://sepolia.base.org --network base-sepolia \
 *       --did-registry 0xdca7ef03e98e0dc2b855be647c39abe984fcf21b --governor 0x... --confirmations 2
 *
 * Re-running keeps every contract that is still on chain; --force deploys anew.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { deployRegistries } from "../src/chain/deploy.js";
import { deploymentPath, readDeployment, writeDeployment } from "../src/chain/deployments.js";
import { chainIdOf, rpcProvider, signerFrom } from "../src/chain/provider.js";
import { isLerError } from "../src/errors.js";

const usage = `usage: npm run deploy -- --rpc URL --network NAME [--governor ADDRESS] [--did-registry ADDRESS]
                       [--multicall ADDRESS] [--confirmations N] [--force] [--out DIR]
The deployer key comes from LER_DEPLOYER_KEY; on a local node without it, the node's first account deploys.`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        rpc: { type: "string", default: process.env.LER_RPC_URL ?? "http://127.0.0.1:8545" },
        network: { type: "string", default: "localhost" },
        governor: { type: "string" },
        "did-registry": { type: "string" },
        multicall: { type: "string" },
        confirmations: { type: "string", default: "1" },
        force: { type: "boolean", default: false },
        out: { type: "string", default: join(process.cwd(), "deployments") },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    return 64;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const confirmations = Number(values.confirmations);
  if (!Number.isInteger(confirmations) || confirmations < 1) {
    console.error(`--confirmations must be a whole number >= 1\n${usage}`);
    return 64;
  }
  const file = deploymentPath(values.out, values.network);
  const provider = rpcProvider(values.rpc);
  try {
    const chainId = await chainIdOf(provider, values.rpc);
    const local = ["127.0.0.1", "localhost", "[::1]"].includes(new URL(values.rpc).hostname);
    const signer = await signerFrom(provider, { privateKey: process.env.LER_DEPLOYER_KEY, allowUnlocked: local });
    const { deployment, deployed } = await deployRegistries(signer, {
      network: values.network,
      ...(values.governor !== undefined && { governor: values.governor }),
      ...(values["did-registry"] !== undefined && { didRegistry: values["did-registry"] }),
      ...(values.multicall !== undefined && { multicall: values.multicall }),
      ...((() => {
        const previous = readDeployment(file);
        return previous !== undefined ? { previous } : {};
      })()),
      force: values.force,
      confirmations,
    });
    writeDeployment(file, deployment);
    console.log(`chain ${chainId}, ${values.network}: ${file}`);
    for (const [name, c] of Object.entries(deployment.contracts)) {
      const how = deployed.includes(name as keyof typeof deployment.contracts) ? "deployed" : "kept";
      console.log(`  ${name.padEnd(20)} ${c.address}  block ${c.block}  (${how})`);
    }
    return 0;
  } catch (e) {
    if (isLerError(e)) {
      console.error(`error [${e.code}]: ${e.message}`);
      return e.code === "chain_unreachable" ? 2 : 1;
    }
    throw e;
  } finally {
    provider.destroy();
  }
}

process.exitCode = await main();
