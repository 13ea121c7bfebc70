// ESLint (flat config): typescript-eslint's recommended rules, plus the two layer rules DESIGN.md states and that
// imports alone cannot show (import layers are dependency-cruiser's, .dependency-cruiser.cjs):
//   - nothing below a face prints or exits: only src/cli/ and src/server/ (and bin/, scripts/, bench/, test/, the
//     programs around the library) may use console, write to process.stdout/stderr or call process.exit;
//   - time comes from one module: only the faces and src/clock.ts read the clock (Date.now(), new Date()) or start
//     timers (setTimeout, setInterval, node:timers). `new Date(x)` with an argument only formats, and is fine.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

const FACES = ["src/cli/**", "src/server/**"];
const CLOCK = "src/clock.ts";

const NO_PRINT_OR_EXIT = [
  {
    selector: "MemberExpression[object.name='process'][property.name='exit']",
    message: "Only a face (src/cli, src/server) exits: throw a LerError and let the face map it to an exit code.",
  },
  {
    selector: "MemberExpression[object.name='process'][property.name=/^(stdout|stderr)$/]",
    message: "Only a face (src/cli, src/server) writes to stdout/stderr: return the data, or take a writer.",
  },
];

const NO_CLOCK_OR_TIMER = [
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: "Read the time from an injected Clock (src/clock.ts), not Date.now().",
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: "Read the time from an injected Clock (src/clock.ts), not new Date(); new Date(ms) to format is fine.",
  },
  {
    selector: "CallExpression[callee.name=/^(setTimeout|setInterval)$/]",
    message: "Start timers through src/clock.ts (sleep, startTimer), not setTimeout/setInterval.",
  },
  {
    selector:
      "CallExpression[callee.object.name=/^(globalThis|global|window)$/][callee.property.name=/^(setTimeout|setInterval)$/]",
    message: "Start timers through src/clock.ts (sleep, startTimer), not setTimeout/setInterval.",
  },
];

const NO_TIMER_IMPORTS = {
  paths: [
    { name: "node:timers", message: "Start timers through src/clock.ts." },
    { name: "node:timers/promises", message: "Start timers through src/clock.ts." },
    { name: "timers", message: "Start timers through src/clock.ts." },
    { name: "timers/promises", message: "Start timers through src/clock.ts." },
  ],
};

export default defineConfig(
  {
    ignores: [
      "dist/",
      "node_modules/",
      "artifacts/",
      "cache/",
      "types/",
      "coverage/",
      "deployments/",
      "bench/results/",
      "test-results/",
      ".ler/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Unused names are errors, except the ones a signature needs and marks with a leading underscore.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests: chai's property assertions (`expect(x).to.be.true`) are expressions; JSON answers are read as `any`;
    // sparse arrays are inputs.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "no-sparse-arrays": "off",
    },
  },
  {
    // CommonJS files (the install check, this repository's configs).
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The service's browser script.
    files: ["src/server/public/**/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser } },
  },
  {
    // Below the faces: no printing, no exiting, no clock, no timers.
    files: ["src/**/*.ts"],
    ignores: [...FACES, CLOCK],
    rules: {
      "no-console": "error",
      "no-restricted-syntax": ["error", ...NO_PRINT_OR_EXIT, ...NO_CLOCK_OR_TIMER],
      "no-restricted-imports": ["error", NO_TIMER_IMPORTS],
    },
  },
  {
    // The clock module: may read the clock and start timers, but prints and exits no more than the rest.
    files: [CLOCK],
    rules: {
      "no-console": "error",
      "no-restricted-syntax": ["error", ...NO_PRINT_OR_EXIT],
    },
  },
);
