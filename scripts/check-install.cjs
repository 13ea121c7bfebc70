// Hardhat loads its EVM (EDR) from a platform package that npm skips silently when npm itself runs on an
// older Node. We pin that package beside hardhat; this check fails the install loudly if the two drift.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

function version(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

if (process.platform === "linux" && process.arch === "x64") {
  const edr = version("@nomicfoundation/edr");
  const native = version("@nomicfoundation/edr-linux-x64-gnu");
  if (edr !== undefined && edr !== native) {
    console.error(
      `install check: @nomicfoundation/edr is ${edr} but @nomicfoundation/edr-linux-x64-gnu is ${native ?? "missing"}.\n` +
        "Pin @nomicfoundation/edr-linux-x64-gnu in package.json to the edr version that hardhat uses.",
    );
    process.exit(1);
  }
}
