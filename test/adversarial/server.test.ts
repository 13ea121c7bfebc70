import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deploymentPath, writeDeployment } from "../../src/chain/deployments.js";
import { connectNetwork, type LerNetwork } from "../../src/chain/network.js";
import { DEFAULT_BODY_LIMIT, startServer, type RunningServer } from "../../src/server/index.js";
import type { Check, CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { CASES, type AdversarialCase, type CaseInput } from "./cases.js";
import { CHALLENGE, DOMAIN, createAdversarialWorld, type AdversarialWorld } from "./world.js";

// The adversarial table again, through the service a verifier runs (`ler serve`): every case is a `POST /v1/verify`
// over real HTTP to a service that reads the chain over JSON-RPC (its own connection, as `ler serve` makes it) at the
// scenario's fixed time. A well-formed request gets 200 whatever the verdict, and the report must give the result and
// the code the case names, and be the library's report for the same input. A case whose input cannot be sent as a
// well-formed request gets the refusal docs/http-api.md names for it, and never a verdict:
// - a token that is neither a string nor an object (`credential: 42`): 400 `invalid_parameter`;
// - a body over the service's limit (1 MiB by default; the 1 MB and 4 MB tokens): 413 `body_too_large`, and sent
//   again to a service with a larger limit, the library's own answer (`token_too_large`) from the service.
// No case is skipped. A case's trusted roots are the verifier's configuration, not part of the request (the API has
// no member for them): those cases go to a second service started with `trustedRoots`, as `ler serve --trusted-root`
// starts it; a case's own clock likewise.

type Report = CredentialReport | PresentationReport;

/** What a verifier's report says, check by check (messages aside), nested reports included. */
const outline = (r: Report): unknown => ({
  result: r.result,
  checks: r.checks.map((c: Check) => `${c.id}:${c.outcome}:${c.code}`),
  ...(r.kind === "presentation" && { credentials: r.credentials.map(outline) }),
});

interface Item {
  /** A case, or a control that must come out valid. */
  c: AdversarialCase | { id: string; expected: { result: "valid" } };
  input: CaseInput;
}

/** How a service is configured: what the API cannot take per request. */
interface ServiceConfig {
  trustedRoots?: readonly string[];
  now: number;
  bodyLimitBytes?: number;
}

interface Reply {
  status: number;
  body: any;
}

/** A larger body limit than any case needs, for the service that must answer the oversized tokens itself. */
const WIDE_BODY_LIMIT = 16 * 1024 * 1024;
/** Requests in flight at once. */
const CONCURRENCY = 8;

/** The request body docs/http-api.md describes: one of `credential` and `presentation`, and for a presentation the verifier's challenge and domain. */
function requestBody(input: CaseInput): Record<string, unknown> {
  if (input.kind === "credential") return { credential: input.token };
  return { presentation: input.token, challenge: input.challenge ?? CHALLENGE, domain: input.domain ?? DOMAIN };
}

/** The refusal the docs name for a request that is not well-formed, if it is not. */
function refusal(input: CaseInput, text: string): { status: number; code: string } | undefined {
  const token = input.token;
  if (typeof token !== "string" && (typeof token !== "object" || token === null || Array.isArray(token))) {
    return { status: 400, code: "invalid_parameter" };
  }
  if (Buffer.byteLength(text) > DEFAULT_BODY_LIMIT) return { status: 413, code: "body_too_large" };
  return undefined;
}

/** Runs `fn` on every item, `n` at a time. */
async function inBatches<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

describe("adversarial credentials and presentations (HTTP: POST /v1/verify)", function () {
  this.timeout(180_000);
  let w: AdversarialWorld;
  let dir: string;
  let network: LerNetwork;
  const services = new Map<string, Promise<RunningServer>>();

  before(async () => {
    w = await createAdversarialWorld("json-rpc");
    dir = mkdtempSync(join(tmpdir(), "ler-adversarial-http-"));
    writeDeployment(deploymentPath(dir, w.networkName), w.base.network.deployment);
    network = await connectNetwork({ rpcUrl: w.base.network.rpcUrl!, network: w.networkName, deploymentsDir: dir });
  });
  after(async () => {
    const running = await Promise.allSettled(services.values());
    for (const s of running) if (s.status === "fulfilled") await s.value.close();
    network?.provider.destroy();
    await w?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** The service for `config`, started on first use; one per configuration. */
  function service(config: ServiceConfig): Promise<RunningServer> {
    const key = JSON.stringify(config);
    let started = services.get(key);
    if (started === undefined) {
      started = startServer({
        network,
        port: 0,
        now: () => config.now,
        ...(config.trustedRoots !== undefined && { trustedRoots: config.trustedRoots }),
        ...(config.bodyLimitBytes !== undefined && { bodyLimitBytes: config.bodyLimitBytes }),
      });
      services.set(key, started);
    }
    return started;
  }

  const configOf = (input: CaseInput, bodyLimitBytes?: number): ServiceConfig => ({
    now: input.now ?? w.now,
    ...(input.trustedRoots !== undefined && { trustedRoots: input.trustedRoots }),
    ...(bodyLimitBytes !== undefined && { bodyLimitBytes }),
  });

  async function post(server: RunningServer, text: string): Promise<Reply> {
    const res = await fetch(`${server.url}/v1/verify`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: text,
    });
    return { status: res.status, body: await res.json() };
  }

  /** The library's report for the same input and verifier options. */
  async function library(input: CaseInput): Promise<Report> {
    const now = input.now ?? w.now;
    const roots = input.trustedRoots === undefined ? {} : { trustedRoots: input.trustedRoots };
    if (input.kind === "credential") return w.agent.lerVerifyCredential({ credential: input.token, now, ...roots });
    return w.agent.lerVerifyPresentation({
      presentation: input.token,
      now,
      challenge: input.challenge ?? CHALLENGE,
      domain: input.domain ?? DOMAIN,
      ...roots,
    });
  }

  function expectCase(item: Item, report: Report): void {
    const { c } = item;
    const why = `${c.id}: ${JSON.stringify(outline(report))}`;
    expect(report.kind, why).to.equal(item.input.kind);
    expect(report.result, why).to.equal(c.expected.result);
    if (c.expected.result === "valid") return;
    const e = (c as AdversarialCase).expected;
    const checks =
      e.inCredential === undefined
        ? report.checks
        : ((report as PresentationReport).credentials[e.inCredential]?.checks ?? []);
    const found = checks.find((x) => x.id === e.check && x.code === e.code);
    expect(found, `${why}: no ${e.check} check with code ${e.code}`).to.not.equal(undefined);
    expect(found!.outcome, why).to.equal(e.outcome ?? (e.result === "invalid" ? "fail" : "unknown"));
  }

  /** A 200 whose report is the case's answer and the library's. */
  async function expectVerdict(item: Item, reply: Reply, where: string): Promise<void> {
    expect(reply.status, `${item.c.id} (${where}): ${JSON.stringify(reply.body).slice(0, 300)}`).to.equal(200);
    expectCase(item, reply.body as Report);
    expect(
      outline(reply.body as Report),
      `${item.c.id} (${where}): the service and the library disagree`,
    ).to.deep.equal(outline(await library(item.input)));
  }

  it(`every case (${CASES.length}) and the controls: 200 with the library's result, code and report, or the documented refusal; none valid`, async () => {
    const items: Item[] = CASES.map((c) => ({ c, input: c.build(w) }));
    const controls: Item[] = [
      {
        c: { id: "control/credential", expected: { result: "valid" } },
        input: { kind: "credential", token: w.tokens.uniForAda },
      },
      {
        c: { id: "control/presentation", expected: { result: "valid" } },
        input: { kind: "presentation", token: w.presentation({ credentials: [w.tokens.uniForAda] }) },
      },
      // The services configured for some cases say valid when the input is good: they do not refuse everything.
      ...[
        ...new Set(
          items.flatMap((i) => (i.input.trustedRoots === undefined ? [] : [JSON.stringify(i.input.trustedRoots)])),
        ),
      ].map((roots): Item => ({
        c: { id: `control/credential-trusted-roots-${roots}`, expected: { result: "valid" } },
        input: { kind: "credential", token: w.tokens.uniForAda, trustedRoots: JSON.parse(roots) as string[] },
      })),
    ];

    const answered: string[] = [];
    const refused: string[] = [];
    const valid: string[] = [];
    const failures: string[] = [];
    await inBatches([...items, ...controls], CONCURRENCY, async (item) => {
      try {
        const text = JSON.stringify(requestBody(item.input));
        const reply = await post(await service(configOf(item.input)), text);
        if (reply.status === 200 && (reply.body as Report).result === "valid" && item.c.expected.result !== "valid")
          valid.push(item.c.id);
        const refuse = refusal(item.input, text);
        if (refuse === undefined) {
          await expectVerdict(item, reply, "200");
          answered.push(item.c.id);
          return;
        }
        expect(reply.status, `${item.c.id}: ${JSON.stringify(reply.body).slice(0, 300)}`).to.equal(refuse.status);
        expect(reply.body.error.code, item.c.id).to.equal(refuse.code);
        expect(reply.body.error.message, item.c.id).to.be.a("string").and.not.equal("");
        refused.push(`${item.c.id} (${refuse.status} ${refuse.code})`);
        if (refuse.status === 413) {
          // The same body, where the service's limit lets it through: the library's limit still refuses the token.
          await expectVerdict(
            item,
            await post(await service(configOf(item.input, WIDE_BODY_LIMIT)), text),
            "larger body limit",
          );
          answered.push(item.c.id);
        }
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    });
    expect(failures.length, failures.join("\n")).to.equal(0);
    expect(valid).to.deep.equal([]);
    expect(refused.sort()).to.deep.equal([
      "encoding/not-a-string (400 invalid_parameter)",
      "encoding/oversized-1mb (413 body_too_large)",
      "encoding/oversized-4mb (413 body_too_large)",
      "presentation/oversized-1mb (413 body_too_large)",
    ]);
    // Every case but the non-string token was answered with a report over HTTP.
    expect(answered.length).to.equal(CASES.length - 1 + controls.length);
  });
});
