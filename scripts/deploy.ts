/**
 * Deploys the LER registries and records them in deployments/<network>.json: `ler deploy` under its npm name.
 *
 *   npm run deploy -- --rpc http://127.0.0.1:8545 --network localhost
 *   LER_DEPLOYER_KEY=... npm run deploy -- --rpc https://sepolia.base.org --network base-sepolia \
 *       --did-registry 0xdca7ef03e98e0dc2b855be647c39abe984fcf21b --governor 0x... --confirmations 2
 *
 * Re-running keeps every contract that is still on chain; --force deploys anew. See `npx ler deploy --help`.
 */
import { run } from "../src/cli/program.js";

process.exitCode = await run(["deploy", ...process.argv.slice(2)]);
