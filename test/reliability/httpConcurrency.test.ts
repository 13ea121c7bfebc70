import { expect } from "chai";
import type { JsonRpcProvider } from "ethers";
import type { Check, CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { prng } from "../helpers/children.js";
import { createServerWorld, type ServerWorld } from "../server/world.js";

// The verify endpoint under a burst of concurrent requests (a functional check; `npm run bench:load` measures it):
// hundreds of verifications in flight at once, of valid, revoked, suspended and forged credentials, presentations
// and malformed bodies, while new blocks arrive, each get their own right answer: the library's report, never
// another request's, no error, and every verification counted once in the service's metrics.

const CHALLENGE = "c-2025-06";
const DOMAIN = "northwind.example";
const BURST = 400;

type Report = CredentialReport | PresentationReport;

const outline = (r: Report): unknown => ({
  result: r.result,
  checks: r.checks.map((c: Check) => `${c.id}:${c.outcome}:${c.code}`),
  ...(r.kind === "presentation" && { credentials: r.credentials.map(outline) }),
  ...(r.kind === "credential" && { id: r.credential.id }),
});

interface Kind {
  name: string;
  body: unknown;
  /** The HTTP status and the report's outline (or the error code) it must get. */
  status: number;
  expected: unknown;
}

describe("reliability: concurrent HTTP verifications each get their own right answer", function () {
  this.timeout(120_000);
  let sw: ServerWorld;
  let kinds: Kind[];

  before(async () => {
    sw = await createServerWorld();
    const { agent } = sw.w;
    const now = Math.floor(Date.now() / 1000);
    const credential = async (name: string, jwt: string, result: string): Promise<Kind> => {
      const report = await agent.lerVerifyCredential({ credential: jwt, now });
      expect(report.result, name).to.equal(result);
      return { name, body: { credential: jwt }, status: 200, expected: outline(report) };
    };
    const presentation = async (name: string, challenge: string, result: string): Promise<Kind> => {
      const report = await agent.lerVerifyPresentation({
        presentation: sw.jwt.presentation,
        challenge,
        domain: DOMAIN,
        now,
      });
      expect(report.result, name).to.equal(result);
      return {
        name,
        body: { presentation: sw.jwt.presentation, challenge, domain: DOMAIN },
        status: 200,
        expected: outline(report),
      };
    };
    const [h, p, s] = sw.jwt.degree.split(".") as [string, string, string];
    const forged = `${h}.${p}.${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`;
    kinds = [
      await credential("degree", sw.jwt.degree, "valid"),
      await credential("bootcamp", sw.jwt.bootcamp, "valid"),
      await credential("teamwork", sw.jwt.teamwork, "valid"),
      await credential("clr", sw.jwt.clr, "valid"),
      await credential("revoked", sw.jwt.revoked, "invalid"),
      await credential("suspended", sw.jwt.suspended, "invalid"),
      await credential("forged", forged, "invalid"),
      await presentation("presentation", CHALLENGE, "valid"),
      await presentation("replayed presentation", "another challenge", "invalid"),
      {
        name: "malformed body",
        body: { credential: sw.jwt.degree, challenge: CHALLENGE },
        status: 400,
        expected: "invalid_parameter",
      },
    ];
  });
  after(async () => sw?.close());

  it(`${BURST} requests at once, of ${10} kinds, while blocks are mined: every answer is its own, none fails`, async () => {
    const random = prng(7);
    const burst = Array.from({ length: BURST }, () => kinds[Math.floor(random() * kinds.length)]!);
    const metric = async () =>
      ((await (await fetch(`${sw.server.url}/v1/metrics`)).json()) as { service: { verifications: { total: number } } })
        .service.verifications.total;
    const before = await metric();
    const provider = sw.w.network.provider as JsonRpcProvider;
    let mining = true;
    const miner = (async () => {
      let blocks = 0;
      while (mining) {
        await provider.send("evm_mine", []);
        blocks++;
        await new Promise((r) => setTimeout(r, 20));
      }
      return blocks;
    })();
    const answers = await Promise.all(
      burst.map(async (k) => {
        const res = await fetch(`${sw.server.url}/v1/verify`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(k.body),
        });
        return { status: res.status, body: (await res.json()) as Report & { error?: { code: string } } };
      }),
    );
    mining = false;
    expect(await miner, "no block was mined during the burst").to.be.greaterThan(1);
    const wrong = answers
      .map((a, i) => ({ k: burst[i]!, a }))
      .filter(
        ({ k, a }) =>
          a.status !== k.status ||
          JSON.stringify(k.status === 200 ? outline(a.body) : a.body.error?.code) !== JSON.stringify(k.expected),
      )
      .map(({ k, a }) => `${k.name}: HTTP ${a.status} ${JSON.stringify(a.status === 200 ? outline(a.body) : a.body)}`);
    expect(wrong).to.deep.equal([]);
    // Each well-formed verification is counted once, however they interleaved.
    expect((await metric()) - before).to.equal(burst.filter((k) => k.status === 200).length);
    expect(new Set(burst.map((k) => k.name)).size, "the burst holds every kind").to.equal(kinds.length);
  });
});
