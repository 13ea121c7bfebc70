import { startServer, type RunningServer } from "../../src/server/index.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { bootcamp, course, degree, teamwork } from "./achievements.js";

/**
 * A JSON-RPC chain with the registries, an accreditation tree (root -> accreditor -> two issuers), credentials
 * issued to a learner (valid, revoked, suspended, a CLR bundle), a presentation, and the service started on a
 * free port against it. The names the service shows are the agent's aliases, as `ler serve` passes them. Code
 * Bootcamp's accreditation was suspended and reinstated after it issued (three versions), and then it issued a
 * certificate whose `issuer.name` claims to be "State University" (an impostor name the service must not show as the
 * registry's).
 */

export interface ServerWorld {
  w: AgentWorld;
  server: RunningServer;
  ids: Record<"root" | "accreditor" | "university" | "bootcamp" | "learner", string>;
  names: Record<string, string>;
  jwt: {
    degree: string;
    bootcamp: string;
    teamwork: string;
    revoked: string;
    suspended: string;
    clr: string;
    presentation: string;
    impostor: string;
  };
  revoked: { issuer: string; list: string; index: number };
  suspended: { issuer: string; list: string; index: number };
  /** The service's clock (seconds): the wall clock, moved up to the chain's. */
  now: () => number;
  close(): Promise<void>;
}

export async function createServerWorld(): Promise<ServerWorld> {
  const w = await createAgentWorld("json-rpc");
  const { agent } = w;
  const names: Record<string, string> = {};
  const make = async (alias: string) => {
    const id = await agent.lerCreateIdentity({ alias });
    names[id.did] = alias;
    return id.did;
  };
  const ids = {
    root: await make("National Qualifications Authority"),
    accreditor: await make("Regional Accreditation Agency"),
    university: await make("State University"),
    bootcamp: await make("Code Bootcamp"),
    learner: await make("Ada Lovelace"),
  };
  for (const name of ["Degree", "Course", "Certificate", "Competency"])
    await agent.lerRegisterType({ governor: w.governor, name });
  await agent.lerAddRoot({
    governor: w.governor,
    root: ids.root,
    types: ["Degree", "Course", "Certificate", "Competency"],
  });
  await agent.lerAccredit({
    accreditor: ids.root,
    subject: ids.accreditor,
    role: "accreditor",
    types: ["Degree", "Course", "Certificate", "Competency"],
  });
  await agent.lerAccredit({
    accreditor: ids.accreditor,
    subject: ids.university,
    role: "issuer",
    types: ["Degree", "Course"],
  });
  await agent.lerAccredit({
    accreditor: ids.accreditor,
    subject: ids.bootcamp,
    role: "issuer",
    types: ["Certificate", "Competency"],
  });

  const uni = await agent.lerIssueCredentials({
    issuer: ids.university,
    credentials: [
      { subject: ids.learner, achievement: degree },
      { subject: ids.learner, achievement: degree },
      { subject: ids.learner, achievement: course },
      { subject: ids.learner, achievements: [degree, course] },
    ],
  });
  const camp = await agent.lerIssueCredentials({
    issuer: ids.bootcamp,
    credentials: [
      { subject: ids.learner, achievement: bootcamp },
      { subject: ids.learner, achievement: teamwork },
    ],
  });
  // Each write is a block of its own, with a later block time: three versions, not one.
  await agent.lerSuspendAccreditation({ accreditor: ids.accreditor, subject: ids.bootcamp, reason: 3 });
  await agent.lerReinstateAccreditation({ accreditor: ids.accreditor, subject: ids.bootcamp });
  const impostor = await agent.lerIssueCredentials({
    issuer: ids.bootcamp,
    issuerName: "State University",
    credentials: [{ subject: ids.learner, achievement: bootcamp }],
  });
  const [valid, revoked, suspended, clr] = uni.credentials as [
    (typeof uni.credentials)[0],
    (typeof uni.credentials)[0],
    (typeof uni.credentials)[0],
    (typeof uni.credentials)[0],
  ];
  await agent.lerRevoke({ issuer: ids.university, entries: [{ list: revoked.list, index: revoked.index }] });
  await agent.lerSuspend({ issuer: ids.university, entries: [{ list: suspended.list, index: suspended.index }] });
  const { jwt: presentation } = await agent.lerCreatePresentation({
    holder: ids.learner,
    credentials: [valid.jwt, camp.credentials[0]!.jwt],
    challenge: "c-2025-06",
    domain: "northwind.example",
  });

  // Blocks mined faster than one a second run the chain's clock ahead of the wall clock; the service's "now" (TRQP's
  // default time, validity windows) follows the chain's, or a query about now would precede the latest changes.
  const offset = Math.max(0, (await w.now()) - Math.floor(Date.now() / 1000)) + 1;
  const now = () => Math.floor(Date.now() / 1000) + offset;
  const server = await startServer({
    network: w.network,
    port: 0,
    names,
    refreshIntervalMs: 0,
    readTimeoutMs: 3000,
    now,
  });
  return {
    w,
    server,
    ids,
    names,
    jwt: {
      degree: valid.jwt,
      bootcamp: camp.credentials[0]!.jwt,
      teamwork: camp.credentials[1]!.jwt,
      revoked: revoked.jwt,
      suspended: suspended.jwt,
      clr: clr.jwt,
      presentation,
      impostor: impostor.credentials[0]!.jwt,
    },
    revoked: { issuer: ids.university, list: revoked.list, index: revoked.index },
    suspended: { issuer: ids.university, list: suspended.list, index: suspended.index },
    now,
    close: async () => {
      await server.close();
      await w.close();
    },
  };
}
