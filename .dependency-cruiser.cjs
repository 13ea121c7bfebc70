// The layers of DESIGN.md, as import rules (`npm run lint` runs them). Imports flow one way, from the faces to the core:
//
//   faces       src/cli/, src/server/
//   agent       src/agent/
//   operations  src/issue/, src/verify/, src/wallet/, src/registry/ (the service's registry queries)
//   core        src/chain/ (every JSON-RPC call), src/store/ (state), src/credentials/ (pure data), src/did/ (pure),
//               src/errors.ts, src/clock.ts
//
// Type-only imports count: a layer that names another's types depends on it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles: a cycle has no layer order.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "faces-not-to-chain-or-store",
      severity: "error",
      comment:
        "The faces (CLI, HTTP service) reach the chain and the state through the agent and the operations. Exceptions: " +
        "the deployment command and the dev chain, which deploy contracts and start a chain themselves.",
      from: {
        path: "^src/(cli|server)/",
        pathNot: "^src/cli/(commands/chain|devchain)\\.ts$",
      },
      to: { path: "^src/(chain|store)/" },
    },
    {
      name: "agent-not-to-faces",
      severity: "error",
      comment: "The agent serves the faces; it never imports them.",
      from: { path: "^src/agent/" },
      to: { path: "^src/(cli|server)/" },
    },
    {
      name: "operations-not-up",
      severity: "error",
      comment: "Operations (issue, verify, wallet, registry queries) never import the agent or a face.",
      from: { path: "^src/(issue|verify|wallet|registry)/" },
      to: { path: "^src/(agent|cli|server)/" },
    },
    {
      name: "chain-is-core",
      severity: "error",
      comment: "src/chain/ makes the JSON-RPC calls for everyone above it and imports nothing from above.",
      from: { path: "^src/chain/" },
      to: { path: "^src/(agent|issue|verify|wallet|registry|store|cli|server)/" },
    },
    {
      name: "core-not-up",
      severity: "error",
      comment: "The core (store, did, errors, clock) imports nothing from the operations, the agent or the faces.",
      from: { path: "^src/(store/|did/|errors\\.ts$|clock\\.ts$)" },
      to: { path: "^src/(agent|issue|verify|wallet|registry|cli|server)/" },
    },
    {
      name: "credentials-are-pure",
      severity: "error",
      comment: "src/credentials/ is pure data: of the project it imports only src/errors.ts.",
      from: { path: "^src/credentials/" },
      to: { path: "^src/", pathNot: "^src/(credentials/|errors\\.ts$)" },
    },
    {
      name: "src-not-to-tests-or-tools",
      severity: "error",
      comment: "The library never imports tests, benchmarks or scripts.",
      from: { path: "^src/" },
      to: { path: "^(test|bench|scripts)/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing.",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "src-not-to-dev-dep",
      severity: "error",
      comment:
        "The library (src/) runs with production dependencies only: a package it imports belongs in dependencies. " +
        "Type-only imports are erased and do not count. The exception is the dev chain, which loads hardhat (an " +
        "optional peer dependency, a devDependency here) when `ler node` runs, and says so when it is not installed.",
      from: { path: "^src/", pathNot: "^src/cli/devchain\\.ts$" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-undeclared-package",
      severity: "error",
      comment: "A package imported but not declared in package.json.",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|artifacts|cache|types|coverage|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
