/**
 * `npm run bench:cli`: how long `ler` takes to start and answer, against a bare `node -e 0` measured in the same run
 * (ratios: these machines are noisy). Every command runs as a user runs it, a process of its own through bin/ler.js
 * (the compiled CLI in dist/, which `npm ci` builds), with the Node that runs this script; the peer is the same
 * command run from the TypeScript sources through tsx, as `ler` ran before it was compiled.
 *
 * The verification is of one credential issued by the CLI itself against `ler node` on this machine. The breakdown
 * says where a command's time goes: starting Node, loading the command's modules, and the rest (the key store, the
 * chain reads, the checks). Writes bench/results/cli.json and cli.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "ler.js");
const SOURCE_MAIN = join(ROOT, "src", "cli", "main.ts");
const UNBUNDLED_MAIN = join(ROOT, "dist", "cli", "main.js");
const REPS = Number(process.env.BENCH_CLI_REPS ?? 15);
const TARGETS = { help: 4, verify: 10 };

const work = mkdtempSync(join(tmpdir(), "ler-bench-cli-"));
const home = join(work, "home");
const deployments = join(work, "deployments");
const baseEnv = { ...process.env, NO_COLOR: "1", LER_HOME: home, LER_SECRET: "bench secret, not a real one" };
for (const k of Object.keys(baseEnv))
  if (k.startsWith("LER_") && !["LER_HOME", "LER_SECRET"].includes(k)) delete baseEnv[k];

function ler(args, env = {}, input) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...baseEnv, ...env }, input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ler ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Wall time of one process run to completion, in ms. */
function timeOnce(argv, env, expectStatus) {
  const t = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== expectStatus) throw new Error(`${argv.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- a chain, and one credential -------------------------------------------------------------------------------------
process.stderr.write("bench:cli: starting ler node and issuing one credential…\n");
const node = spawn(process.execPath, [BIN, "node", "--port", "0", "--json", "--deployments", deployments], {
  env: baseEnv,
  stdio: ["ignore", "pipe", "inherit"],
});
const ready = await new Promise((resolve, reject) => {
  let out = "";
  node.stdout.setEncoding("utf8").on("data", (d) => {
    out += d;
    const nl = out.indexOf("\n");
    if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
  });
  node.on("exit", (code) => reject(new Error(`ler node exited ${code}`)));
});
const chainEnv = { LER_RPC_URL: ready.url, LER_DEPLOYMENTS: deployments };
const governorKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // Hardhat dev account #0
ler(["id", "import", "--alias", "governance"], { ...chainEnv, LER_PRIVATE_KEY: governorKey });
ler(["gov", "register-type", "Course", "--as", "governance"], chainEnv);
const jwt = join(work, "one.jwt");
try {
  ler(["id", "create", "--alias", "authority"], chainEnv);
  ler(["gov", "add-root", "authority", "--types", "Course", "--as", "governance"], chainEnv);
  ler(["id", "create", "--alias", "university"], chainEnv);
  ler(["accreditor", "accredit", "university", "--types", "Course", "--as", "authority"], chainEnv);
  ler(["id", "create", "--alias", "ada"], chainEnv);
  ler(["issue", "--as", "university", "--to", "ada", "--type", "Course", "--name", "Bench", "--out", jwt], chainEnv);
} catch (e) {
  node.kill("SIGTERM");
  throw e;
}

// ---- the measurements ------------------------------------------------------------------------------------------------
// A verifier needs no key store: no LER_SECRET. With it set (as in the README's walkthrough, where one terminal plays
// every role), \`ler verify\` also opens the key store to label addresses with their aliases: one scrypt more.
const ownerEnv = { ...baseEnv, ...chainEnv };
const verifyEnv = { ...ownerEnv };
delete verifyEnv.LER_SECRET;
const commands = [
  { id: "node", label: "`node -e 0` (bare Node start)", argv: [process.execPath, "-e", "0"], status: 0 },
  { id: "version", label: "`ler --version`", args: ["--version"], status: 0 },
  { id: "help", label: "`ler --help`", args: ["--help"], status: 0, target: TARGETS.help },
  { id: "verifyHelp", label: "`ler verify --help`", args: ["verify", "--help"], status: 0 },
  {
    id: "idList",
    label: "`ler id list` (opens the key store: scrypt)",
    args: ["id", "list"],
    status: 0,
    env: ownerEnv,
  },
  {
    id: "verify",
    label: "`ler verify one.jwt` (a local node; a verifier: no key store)",
    args: ["verify", jwt],
    status: 0,
    env: verifyEnv,
    target: TARGETS.verify,
  },
  {
    id: "verifyOwner",
    label: "`ler verify one.jwt` with LER_SECRET set (aliases from the key store)",
    args: ["verify", jwt],
    status: 0,
    env: ownerEnv,
  },
  {
    id: "verifyClosed",
    label: "`ler verify one.jwt` against a closed port (no chain reads: unknown)",
    args: ["verify", jwt, "--rpc", "http://127.0.0.1:9"],
    status: 2,
    env: verifyEnv,
  },
];
// Peers: the same commands from tsc's output unbundled (dist/cli/main.js), and from the sources through tsx.
const peers = [
  { id: "help", how: "unbundled", label: "`ler --help`, unbundled (dist/cli)", args: ["--help"], status: 0 },
  {
    id: "verify",
    how: "unbundled",
    label: "`ler verify one.jwt`, unbundled (dist/cli)",
    args: ["verify", jwt],
    status: 0,
    env: verifyEnv,
  },
  { id: "help", how: "tsx", label: "`ler --help` from the sources (tsx)", args: ["--help"], status: 0 },
  {
    id: "verify",
    how: "tsx",
    label: "`ler verify one.jwt` from the sources (tsx)",
    args: ["verify", jwt],
    status: 0,
    env: verifyEnv,
  },
];
const HOW = { bundle: [BIN], unbundled: [UNBUNDLED_MAIN], tsx: ["--import", "tsx", SOURCE_MAIN] };
const argvOf = (c) => c.argv ?? [process.execPath, ...HOW[c.how ?? "bundle"], ...c.args];

const samples = new Map();
const add = (key, ms) => samples.set(key, [...(samples.get(key) ?? []), ms]);
for (const c of [...commands, ...peers]) timeOnce(argvOf(c), c.env ?? baseEnv, c.status); // warm the file cache
process.stderr.write(`bench:cli: ${REPS} rounds…\n`);
for (let round = 0; round < REPS; round++) {
  // Round-robin: every command sees the same moments of the machine's noise.
  for (const c of commands) add(c.id, timeOnce(argvOf(c), c.env ?? baseEnv, c.status));
  for (const p of peers) add(`${p.how}:${p.id}`, timeOnce(argvOf(p), p.env ?? baseEnv, p.status));
}
node.kill("SIGTERM");
await new Promise((r) => node.on("exit", r));
rmSync(work, { recursive: true, force: true });

// ---- the table -------------------------------------------------------------------------------------------------------
const base = median(samples.get("node"));
const m = (key) => median(samples.get(key));
const ratio = (ms) => ms / base;
const fmtMs = (ms) => `${Math.round(ms).toLocaleString("en-US")} ms`;
const fmtX = (x) => `${x.toFixed(1)}×`;
const rows = commands.map((c) => ({ id: c.id, label: c.label, ms: m(c.id), ratio: ratio(m(c.id)) }));
const peerRows = peers.map((p) => {
  const ms = m(`${p.how}:${p.id}`);
  return { id: p.id, label: p.label, ms, ratio: ratio(ms) };
});
const targets = Object.entries(TARGETS).map(([id, limit]) => {
  const row = rows.find((r) => r.id === id);
  return { id, label: row.label, limit, measured: row.ratio, pass: row.ratio <= limit };
});
const breakdown = [
  {
    command: "`ler --help`",
    parts: [
      ["starting Node", base],
      ["loading the CLI's definitions (commander, no command module), printing", m("help") - base],
    ],
  },
  {
    command: "`ler verify one.jwt`",
    parts: [
      ["starting Node", base],
      [
        "loading the verify command, the agent (Veramo, ethers, did-jwt) and the checks; reading the deployment record",
        m("verifyClosed") - base,
      ],
      ["connecting, the chain reads (one snapshot, the DID history) and the checks", m("verify") - m("verifyClosed")],
    ],
  },
];

const json = {
  node: process.version,
  reps: REPS,
  medianMs: Object.fromEntries([...samples].map(([k]) => [k, Math.round(m(k) * 10) / 10])),
  targets: targets.map((t) => ({ ...t, measured: Math.round(t.measured * 100) / 100 })),
};
const md = [
  "# CLI start-up benchmark",
  "",
  `Regenerate with \`npm run bench:cli\`. Each command is a process of its own, started ${REPS} times round-robin with the others (medians shown) by Node ${process.version}, through \`bin/ler.js\`: the CLI bundled in \`dist/bundle/\`. The verification is of one credential (issued by the CLI) against \`ler node\` on this machine, over HTTP. Times are noisy on shared machines: read the ratios to a bare \`node -e 0\` measured in the same rounds.`,
  "",
  "## Targets",
  "",
  "| Target | Limit | Measured | Result |",
  "| --- | ---: | ---: | --- |",
  ...targets.map(
    (t) => `| ${t.label} vs \`node -e 0\` | ≤ ${t.limit}× | ${fmtX(t.measured)} | ${t.pass ? "pass" : "**fail**"} |`,
  ),
  "",
  "## Commands",
  "",
  "| Command | Median | vs `node -e 0` |",
  "| --- | ---: | ---: |",
  ...rows.map((r) => `| ${r.label} | ${fmtMs(r.ms)} | ${fmtX(r.ratio)} |`),
  ...peerRows.map((r) => `| ${r.label} | ${fmtMs(r.ms)} | ${fmtX(r.ratio)} |`),
  "",
  "## Where the time goes",
  "",
  "The parts are differences between the commands above (medians): `ler verify` against a closed port does everything but the chain reads.",
  "",
  ...breakdown.flatMap((b) => [
    `${b.command}:`,
    "",
    "| Part | Median |",
    "| --- | ---: |",
    ...b.parts.map(([what, ms]) => `| ${what} | ${fmtMs(Math.max(0, ms))} |`),
    "",
  ]),
].join("\n");
const out = new URL("results/", import.meta.url);
writeFileSync(new URL("cli.json", out), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(new URL("cli.md", out), md);
process.stdout.write(`${md}\n`);
