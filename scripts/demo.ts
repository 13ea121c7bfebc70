/**
 * The whole story on an embedded chain, in well under a minute:
 *
 *   npm run demo
 *
 * Governance registers credential types and a root accreditor; the accreditor accredits a university and a
 * bootcamp; the university issues a degree and a batch of 1,000 course credentials and anchors them; a learner
 * presents to an employer, who verifies; then a revocation, a suspended issuer, a tampered credential and an
 * unreachable chain each show how verification fails, with the reason. Nothing is left behind: the chain lives in
 * this process, and the key store in a temporary directory with a generated secret.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAgent, type IResolver } from "@veramo/core";
import { DIDResolverPlugin } from "@veramo/did-resolver";
import { Wallet } from "ethers";
import { createLerAgent, ethrResolver } from "../src/agent/agent.js";
import { LerPlugin } from "../src/agent/plugin.js";
import type { ILerPlugin } from "../src/agent/types.js";
import { rpcProvider } from "../src/chain/provider.js";
import type { LerNetwork } from "../src/chain/network.js";
import { achievement } from "../src/credentials/index.js";
import { createEmbeddedChain } from "../src/cli/devchain.js";
import { count, duration, Output, short } from "../src/cli/output.js";
import { drawChain, reason, resultLabel } from "../src/cli/render.js";
import type { CredentialReport, PresentationReport } from "../src/verify/report.js";

const out = new Output({ json: false });
const c = out.c;
const t0 = performance.now();
let stepStart = t0;
let stepNo = 0;

function step(actor: string, text: string): void {
  stepNo++;
  stepStart = performance.now();
  out.line();
  out.line(`${c.bold(`${String(stepNo).padStart(2)}.`)} ${c.cyan(actor.padEnd(12))} ${text}`);
}

function detail(text: string): void {
  out.line(`     ${" ".repeat(12)} ${text}`);
}

function took(extra = ""): void {
  detail(c.dim(`${duration(performance.now() - stepStart)}${extra}`));
}

function verdict(r: CredentialReport | PresentationReport): void {
  const why = reason(r);
  detail(`${resultLabel(r.result, c)}${why !== undefined ? `  ${why.message} ${c.dim(`[${why.code}]`)}` : ""}`);
}

/** A port nothing listens on: bind one, then let it go. */
async function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  out.line(c.bold("LER registry: the whole story on an embedded chain"));
  out.line(
    c.dim("Learning and Employment Records as did:ethr Verifiable Credentials, trusted through on-chain registries."),
  );

  // Governance is a did:ethr identity holding the trust registry's governor role (a multisig in production).
  const governanceKey = Wallet.createRandom();
  step("Chain", "starts in process, with the trust, status and DID registries deployed");
  const chain = await createEmbeddedChain({ name: "embedded", governor: governanceKey.address });
  const home = mkdtempSync(join(tmpdir(), "ler-demo-"));
  const secret = randomBytes(24).toString("base64url");
  try {
    const agent = await createLerAgent({ network: chain.network, home, secret, fund: chain.fund });
    const d = chain.network.deployment.contracts;
    detail(
      `TrustRegistry ${short(d.TrustRegistry.address)}, StatusRegistry ${short(d.StatusRegistry.address)}, EthereumDIDRegistry ${short(d.EthereumDIDRegistry.address)}`,
    );
    detail(`key store in a temporary directory, encrypted with a generated secret`);
    took();

    const governance = (await agent.lerImportIdentity({ alias: "Governance", privateKeyHex: governanceKey.privateKey }))
      .did;
    const make = async (alias: string) => (await agent.lerCreateIdentity({ alias })).did;
    const authority = await make("Qualifications Authority");
    const university = await make("State University");
    const bootcamp = await make("Code Bootcamp");
    const ada = await make("Ada Lovelace");
    const employer = "hiring.example-employer.com";

    step("Governance", `registers the credential types Degree, Course, Certificate, Competency`);
    for (const name of ["Degree", "Course", "Certificate", "Competency"])
      await agent.lerRegisterType({ governor: governance, name });
    detail(`and adds the root accreditor ${c.bold("Qualifications Authority")} for all four`);
    await agent.lerAddRoot({
      governor: governance,
      root: authority,
      types: ["Degree", "Course", "Certificate", "Competency"],
    });
    took();

    step("Accreditor", `Qualifications Authority accredits ${c.bold("State University")} for Degree, Course`);
    await agent.lerAccredit({
      accreditor: authority,
      subject: university,
      role: "issuer",
      types: ["Degree", "Course"],
    });
    detail(`and ${c.bold("Code Bootcamp")} for Certificate, Competency`);
    await agent.lerAccredit({
      accreditor: authority,
      subject: bootcamp,
      role: "issuer",
      types: ["Certificate", "Competency"],
    });
    took();

    step("University", `issues Ada a ${c.bold("BSc Computer Science")} degree, anchored on chain`);
    const degree = achievement({
      id: "https://university.example/programs/bsc-cs",
      name: "BSc Computer Science",
      description: "Bachelor of Science in Computer Science",
      criteria: { narrative: "Completed 180 ECTS including a thesis." },
      achievementType: "Degree",
      alignments: [
        {
          targetName: "Software engineering",
          targetUrl: "https://esco.example/skill/software-engineering",
          targetFramework: "ESCO",
        },
      ],
    });
    const degreeResult = await agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: ada, achievement: degree }],
    });
    const degreeJwt = degreeResult.credentials[0]!.jwt;
    detail(
      `${degreeResult.credentials[0]!.id}, status list 0 index ${degreeResult.credentials[0]!.index}, anchored in block ${degreeResult.anchor?.block}`,
    );
    took();

    step("University", `issues a batch of ${c.bold(count(1000))} "Databases 101" course credentials`);
    const course = achievement({
      id: "https://university.example/courses/db101",
      name: "Databases 101",
      description: "Relational modelling, SQL and transactions.",
      criteria: { narrative: "Passed the final exam with at least 60%." },
      achievementType: "Course",
      alignments: [
        {
          targetName: "SQL",
          targetUrl: "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
          targetFramework: "ESCO",
        },
      ],
    });
    const learners = [ada, ...Array.from({ length: 999 }, () => `did:ethr:embedded:${Wallet.createRandom().address}`)];
    const batch = await agent.lerIssueCredentials({
      issuer: university,
      credentials: learners.map((subject) => ({ subject, achievement: course })),
      anchor: "recorded",
    });
    const signed = performance.now() - stepStart;
    const anchored = await agent.lerAnchor({ issuer: university, root: batch.root });
    detail(
      `signed in ${duration(signed)}; one Merkle root anchors all of them: block ${anchored.block}, ${count(anchored.gasUsed)} gas`,
    );
    took();
    const adasCourse = batch.credentials[0]!;

    step("Bootcamp", `issues Ada a ${c.bold("Full-stack Web Developer")} certificate`);
    const certificate = achievement({
      id: "https://bootcamp.example/certificates/fullstack",
      name: "Full-stack Web Developer",
      description: "Twelve-week full-stack web development bootcamp.",
      criteria: { narrative: "Built and deployed the capstone project." },
      achievementType: "Certificate",
    });
    const certJwt = (
      await agent.lerIssueCredentials({ issuer: bootcamp, credentials: [{ subject: ada, achievement: certificate }] })
    ).credentials[0]!.jwt;
    took();

    step("Ada", `presents her degree, course and certificate to an employer (${employer})`);
    const challenge = randomBytes(12).toString("hex");
    const vp = await agent.lerCreatePresentation({
      holder: ada,
      credentials: [degreeJwt, adasCourse.jwt, certJwt],
      challenge,
      domain: employer,
    });
    detail(`a presentation signed by Ada, bound to the employer's challenge ${c.dim(challenge)}`);
    took();

    step("Employer", "verifies it with nothing but the chain: signatures, accreditation, status, validity");
    const presented = await agent.lerVerifyPresentation({ presentation: vp.jwt, challenge, domain: employer });
    verdict(presented);
    // Names for the trust chain, as the employer's address book would have them.
    const names = new Map(
      (await agent.lerListIdentities({})).flatMap((i) =>
        i.alias === undefined ? [] : [[i.address, i.alias] as const],
      ),
    );
    for (const cr of presented.credentials) {
      const links = cr.trustChain.map((l) =>
        l.name === undefined && names.has(l.address) ? { ...l, name: names.get(l.address)! } : l,
      );
      detail(`${cr.result === "valid" ? c.green("✔") : c.red("✘")} ${cr.credential.name}: ${drawChain(links, c)}`);
    }
    took();

    step("University", `revokes Ada's course credential (status list 0, index ${adasCourse.index})`);
    await agent.lerRevoke({ issuer: university, entries: [{ list: adasCourse.list, index: adasCourse.index }] });
    const revoked = await agent.lerVerifyCredential({ credential: adasCourse.jwt });
    verdict(revoked);
    took();

    step("Accreditor", `suspends Code Bootcamp's accreditation`);
    await agent.lerSuspendAccreditation({ accreditor: authority, subject: bootcamp, reason: 3 });
    const suspended = await agent.lerVerifyCredential({ credential: certJwt });
    verdict(suspended);
    detail(
      c.dim("the degree is unaffected: ") +
        resultLabel((await agent.lerVerifyCredential({ credential: degreeJwt })).result, c),
    );
    took();

    step("Accreditor", `narrows State University's scope to Course: the past is not rewritten`);
    const narrowed = await agent.lerUpdateAccreditation({
      accreditor: authority,
      subject: university,
      types: ["Course"],
    });
    const types = (v: unknown) => (Array.isArray(v) ? v.join(", ") : String(v));
    detail(`types ${types(narrowed.changes.types?.before)} → ${types(narrowed.changes.types?.after)}`);
    verdict(await agent.lerVerifyCredential({ credential: degreeJwt }));
    detail(c.dim("the degree was anchored while the university was accredited for Degree: it stays valid"));
    const refused = await agent
      .lerIssueCredentials({ issuer: university, credentials: [{ subject: ada, achievement: degree }] })
      .then(
        () => undefined,
        (e: { code?: string }) => e.code ?? "refused",
      );
    detail(`a new degree is refused before anything is signed: ${c.red(`[${refused ?? "not refused"}]`)}`);
    if (refused === undefined) throw new Error("a degree out of scope was issued");
    took();

    step("Forger", `edits the degree to read "PhD Computer Science"`);
    const [h, p, s] = degreeJwt.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as {
      credentialSubject: { achievement: { name: string } };
    };
    payload.credentialSubject.achievement.name = "PhD Computer Science";
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
    verdict(await agent.lerVerifyCredential({ credential: tampered }));
    took();

    step("Employer", "verifies the degree while its chain endpoint is down");
    const url = `http://127.0.0.1:${await deadPort()}`;
    const offline: LerNetwork = { ...chain.network, provider: rpcProvider(url, chain.network.chainId), rpcUrl: url };
    const verifier = createAgent<ILerPlugin & IResolver>({
      plugins: [
        new DIDResolverPlugin(ethrResolver(offline)),
        new LerPlugin({ network: offline, home, readTimeoutMs: 5_000 }),
      ],
    });
    verdict(await verifier.lerVerifyCredential({ credential: degreeJwt }));
    detail(c.dim(`(${url} does not answer: the result is unknown, never valid)`));
    offline.provider.destroy();
    took();

    out.line();
    out.line(
      `${c.green("✔")} ${c.bold("Done")} in ${duration(performance.now() - t0)}: ${count(1003)} credentials issued, every verification answered with its reason.`,
    );
    out.line(
      c.dim("Next: `npx ler node` and the walkthrough in the README drive the same story from the command line."),
    );
  } finally {
    await chain.close();
    rmSync(home, { recursive: true, force: true });
  }
}

try {
  await main();
  process.exitCode = 0;
} catch (e) {
  const err = e as { code?: string; message?: string };
  process.stderr.write(`error [${err.code ?? "demo_failed"}]: ${err.message ?? String(e)}\n`);
  if (process.env.LER_DEBUG === "1") process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
}
