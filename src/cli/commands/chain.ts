import { relative, resolve } from "node:path";
import { Command, Option } from "commander";
import { deployRegistries } from "../../chain/deploy.js";
import {
  CONTRACT_NAMES,
  deploymentPath,
  readDeployment,
  withBlockHashes,
  writeDeployment,
  type DeployedContracts,
} from "../../chain/deployments.js";
import { chainIdOf, rpcProvider, signerFrom } from "../../chain/provider.js";
import { UsageError } from "../../errors.js";
import { deploymentsDirToWrite, parseInteger } from "../config.js";
import type { Session } from "../context.js";
import { defaultStatePath, devAccountKey, startDevNode } from "../devchain.js";
import { count } from "../output.js";
import { examples, type Act } from "./common.js";

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") ? rel : file;
}

function governorAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /(0x[0-9a-fA-F]{40})$/.exec(value.trim());
  if (m === null) throw new UsageError("invalid_address", `--governor is an address or a did:ethr, not "${value}".`);
  return m[1]!;
}

export function registerChainCommands(program: Command, act: Act): void {
  const node = program
    .command("node")
    .description("run a local JSON-RPC dev chain with every registry deployed")
    .addOption(new Option("--host <host>", "interface to listen on").default("127.0.0.1"))
    .addOption(
      new Option("--port <port>", "port to listen on (0: any free port)")
        .default(8545)
        .argParser(parseInteger("--port", 0, 65535)),
    )
    .option("--governor <address>", "holder of the registries' governance role (default: dev account #0)")
    .option(
      "--state <file>",
      "keep the chain in this file and restore it from there on the next start (default: deployments/<network>.state)",
    )
    .option("--no-state", "keep nothing: the chain lives in memory and starts empty each time")
    .option("--fresh", "start a new chain in the state file (the one it held is moved to <file>.previous)")
    .action(act(nodeCommand));
  examples(node, [
    "ler node                        # restores the chain of deployments/localhost.state, if any",
    "ler node --port 8600            # then: export LER_RPC_URL=http://127.0.0.1:8600",
    "ler node --json                 # one JSON line when ready (url, contracts, accounts, state)",
    "ler node --fresh                # a new, empty chain (homes made on the old one no longer match it)",
    "ler node --state demo.state     # a chain of its own, kept in demo.state",
  ]);
  node.addHelpText(
    "after",
    `
The chain is kept in a state file beside the deployment record (deployments/<network>.state, see --deployments):
every block is saved as it is mined, and the next \`ler node\` rebuilds the same chain from it (same contracts,
addresses, blocks and timestamps) before it listens, so the homes made on it keep working. --fresh starts a new
chain in that file; --no-state keeps the chain in memory only, as a throwaway. The registries land at the same
addresses on every new chain; a home used on an earlier one is refused (deployment_not_on_chain) rather than
half-working. One node at a time per state file; while it keeps its state, the node refuses the JSON-RPC calls
that cannot be replayed (hardhat_reset, hardhat_impersonateAccount, evm_setIntervalMining). Identities that send a
transaction on this chain are funded from dev account #0 automatically. Stop it with Ctrl-C.
`,
  );

  const deploy = program
    .command("deploy")
    .description("deploy the registries to a network and record them in deployments/<network>.json")
    .option("--governor <address>", "holder of the registries' governance role (default: the deployer)")
    .option("--did-registry <address>", "use this ERC-1056 registry instead of deploying one")
    .option("--multicall <address>", "use this Multicall3 instead of deploying one")
    .option("--force", "deploy everything anew, even contracts a previous record still points at")
    .option("--out <dir>", "where to write the record (default: see --deployments)")
    .action(act(deployCommand));
  examples(deploy, [
    "ler deploy                                   # to the local node, as its first account",
    "LER_DEPLOYER_KEY=0x… ler deploy --rpc https://sepolia.base.org --network base-sepolia \\",
    "      --did-registry 0xdca7ef03e98e0dc2b855be647c39abe984fcf21b --governor 0x… --confirmations 2",
  ]);
  deploy.addHelpText(
    "after",
    `
The deployer key comes from LER_DEPLOYER_KEY (never from the command line). On a local node (127.0.0.1,
localhost) without it, the node's first unlocked account deploys. Re-running keeps every contract that is
still on chain; --force deploys anew.
`,
  );
}

async function nodeCommand(
  s: Session,
  opts: { host: string; port: number; governor?: string; state?: string | false; fresh?: boolean },
): Promise<number> {
  const out = s.out;
  const governor = governorAddress(opts.governor);
  const dir = deploymentsDirToWrite(s.settings);
  const started = performance.now();
  const stateFile =
    opts.state === false
      ? undefined
      : opts.state === undefined
        ? defaultStatePath(dir, s.settings.network)
        : resolve(opts.state);
  const node = await startDevNode({
    host: opts.host,
    port: opts.port,
    network: s.settings.network,
    deploymentsDir: dir,
    ...(governor !== undefined && { governor }),
    ...(stateFile !== undefined && { state: { file: stateFile, fresh: opts.fresh === true } }),
    onStateLost: (e) =>
      out.note(
        `${out.e.red("error [write_failed]:")} ${e.message.replace(/\s*\n\s*/g, " ")} The chain is saved up to the last block before this; from now on the node refuses what would change it.`,
      ),
  });
  if (node.state !== undefined && node.state.tornBytes > 0) {
    out.note(
      `${displayPath(node.state.file)}: its last record was cut short by a crash (${node.state.tornBytes} bytes); it was dropped, and the chain restored up to the record before it.`,
    );
  }
  const state = node.state;
  const dev0 = devAccountKey(0);
  const governorIsDev0 = node.governor.toLowerCase() === dev0.address.toLowerCase();
  out.result(
    {
      url: node.url,
      chainId: node.chainId,
      network: s.settings.network,
      deploymentFile: node.file,
      contracts: node.deployment.contracts,
      governor: node.governor,
      ...(governorIsDev0 && { governorPrivateKey: dev0.privateKey }),
      accounts: node.accounts,
      state:
        state === undefined
          ? null
          : {
              file: state.file,
              restored: state.restored,
              blocks: state.blocks,
              ...(state.previous !== undefined && { previous: state.previous }),
            },
    },
    () => {
      const c = out.c;
      out.line(
        `${c.green("●")} ${c.bold("LER dev chain")} at ${c.bold(node.url)}  (chain ${node.chainId}, ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
      out.line();
      out.line(`Registries, recorded in ${displayPath(node.file)}:`);
      for (const name of CONTRACT_NAMES) out.line(`  ${name.padEnd(20)} ${node.deployment.contracts[name].address}`);
      out.line();
      if (state === undefined) out.line(`State        not kept (--no-state): the chain starts empty each time`);
      else if (state.restored)
        out.line(`State        restored from ${displayPath(state.file)} (${count(state.blocks)} blocks), kept there`);
      else
        out.line(`State        a new chain, kept in ${displayPath(state.file)} across restarts (--fresh starts over)`);
      if (state?.previous !== undefined)
        out.line(`             the chain it held before is in ${displayPath(state.previous)}`);
      out.line(`Governance   ${node.governor}${governorIsDev0 ? "  (dev account #0)" : ""}`);
      if (governorIsDev0) {
        out.line(`             to act as governance, import its key:`);
        out.line(`             LER_PRIVATE_KEY=${dev0.privateKey} \\`);
        out.line(`               npx ler id import --alias governance`);
      }
      out.line(
        `Accounts     ${node.accounts.length} dev accounts with ${count(10_000)} ETH each; identities are funded on their first write`,
      );
      if (node.url !== "http://127.0.0.1:8545") out.line(`RPC          export LER_RPC_URL=${node.url}`);
      out.line();
      out.line(c.yellow("The dev keys are public test keys: never use them on a real network."));
      out.line(c.dim("Press Ctrl-C to stop."));
    },
    { compact: true },
  );
  const stop = () => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    out.note("Stopping the dev chain…");
    void node.close();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await node.closed;
  out.note("Stopped.");
  return 0;
}

async function deployCommand(
  s: Session,
  opts: { governor?: string; didRegistry?: string; multicall?: string; force?: boolean; out?: string },
): Promise<number> {
  const out = s.out;
  const { rpcUrl, network } = s.settings;
  const dir = opts.out ?? deploymentsDirToWrite(s.settings);
  const file = deploymentPath(dir, network);
  const provider = rpcProvider(rpcUrl);
  s.onClose(() => provider.destroy());
  const chainId = await chainIdOf(provider, rpcUrl);
  const local = ["127.0.0.1", "localhost", "[::1]"].includes(new URL(rpcUrl).hostname);
  const signer = await signerFrom(provider, { privateKey: process.env.LER_DEPLOYER_KEY, allowUnlocked: local });
  const previous = readDeployment(file);
  const governor = governorAddress(opts.governor);
  const { deployment, deployed } = await deployRegistries(signer, {
    network,
    ...(governor !== undefined && { governor }),
    ...(opts.didRegistry !== undefined && { didRegistry: opts.didRegistry }),
    ...(opts.multicall !== undefined && { multicall: opts.multicall }),
    ...(previous !== undefined && { previous }),
    force: opts.force === true,
    confirmations: s.settings.confirmations ?? 1,
  });
  // On a dev chain, the record names the blocks it was deployed in: a chain restarted empty is then told apart.
  writeDeployment(file, await withBlockHashes(provider, deployment));
  out.result(
    { network, chainId, file, deployer: await signer.getAddress(), contracts: deployment.contracts, deployed },
    () => {
      out.line(`${out.c.green("✔")} Registries on chain ${chainId} (${network}), recorded in ${displayPath(file)}`);
      for (const name of Object.keys(deployment.contracts) as (keyof DeployedContracts)[]) {
        const c = deployment.contracts[name];
        const how = deployed.includes(name) ? "deployed" : "kept";
        out.line(`  ${name.padEnd(20)} ${c.address}  block ${c.block}  ${out.c.dim(`(${how})`)}`);
      }
    },
  );
  return 0;
}
