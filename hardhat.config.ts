import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatTypechain from "@nomicfoundation/hardhat-typechain";

const require = createRequire(import.meta.url);

// The compiler comes from the `solc` npm package (wasm), so a build never downloads one. The version is read
// from that package so that the two cannot drift apart.
const solcVersion: string = require("solc/package.json").version;

const testJobs = Number.parseInt(process.env.LER_TEST_JOBS ?? "2", 10) || 1;

export default defineConfig({
  plugins: [hardhatEthers, hardhatEthersChaiMatchers, hardhatMocha, hardhatNetworkHelpers, hardhatTypechain],
  solidity: {
    compilers: [
      {
        version: solcVersion,
        path: require.resolve("solc/soljson.js"),
        settings: {
          // Cancun: transient storage and MCOPY; every L2 this project targets supports it.
          evmVersion: "cancun",
          optimizer: { enabled: true, runs: 10_000 },
        },
      },
    ],
  },
  paths: {
    // The production contracts are contracts/. Two more folders compile as contracts (not as Solidity tests), so that
    // their artifacts can be deployed by name from TypeScript (`ethers.deployContract`, `getContractFactory`): the
    // test doubles in test/contracts/mocks and the benchmark's peers in bench/contracts. Nothing deploys them in
    // production (src/chain/deploy.ts deploys the contracts of src/chain/artifacts.ts only).
    sources: { solidity: ["contracts", "test/contracts/mocks", "bench/contracts"] },
    tests: { mocha: "test", solidity: "test" },
  },
  test: {
    // Test files run in worker processes, two at a time (the project's machines have two cores); each suite makes its
    // own chain, home, ports and database schema. LER_TEST_JOBS=1 runs them one after another, in this process.
    mocha:
      testJobs > 1
        ? { parallel: true, jobs: testJobs, require: [new URL("test/helpers/parallelErrors.ts", import.meta.url).href] }
        : {},
    solidity: {
      // Fixed seed by default, so a run is reproducible; `--test-profile deep` searches harder.
      profiles: {
        default: { fuzz: { runs: 256 }, invariant: { runs: 64, depth: 64, failOnRevert: false } },
        deep: { fuzz: { runs: 5_000 }, invariant: { runs: 256, depth: 500, failOnRevert: false } },
      },
    },
  },
  networks: {
    localhost: {
      type: "http",
      url: process.env.LER_RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
});
