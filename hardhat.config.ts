import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";

const require = createRequire(import.meta.url);

// The compiler comes from the `solc` npm package (wasm), so a build never downloads one. The version is read
// from that package so that the two cannot drift apart.
const solcVersion: string = require("solc/package.json").version;

export default defineConfig({
  plugins: [hardhatEthers, hardhatEthersChaiMatchers, hardhatMocha, hardhatNetworkHelpers],
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
    tests: { mocha: "test", solidity: "test" },
  },
  networks: {
    localhost: {
      type: "http",
      url: process.env.LER_RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
});
