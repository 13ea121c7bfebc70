import { Command } from "commander";
import type { WriteResult } from "../../agent/types.js";
import { UsageError } from "../../errors.js";
import { collectList, parseTime } from "../config.js";
import type { Session } from "../context.js";
import { registeredTypes } from "../../agent/network.js";
import { done, examples, resolveIdentity, scopeExtras, who, type Act } from "./common.js";

export function registerGovernanceCommands(program: Command, act: Act): void {
  const gov = program
    .command("gov")
    .alias("governance")
    .description("governance: register credential types and root authorities");
  gov.addHelpText(
    "after",
    `
Governance holds the trust registry's GOVERNOR_ROLE (in production a consortium multisig). On \`ler node\` that is
dev account #0: import its key with \`ler id import\` (the node prints the command). Suspend or revoke a root
with \`ler accreditor suspend|revoke <root> --as <governance>\`.
`,
  );

  examples(
    gov
      .command("register-type")
      .description("register credential types (Open Badges achievementTypes such as Degree, Course, Certificate)")
      .argument("<names...>", "type names; ones already registered are reported and left alone")
      .requiredOption("--as <identity>", "the governance identity (alias, DID or address)")
      .action(act(registerTypes)),
    ["ler gov register-type Degree Course Certificate Competency --as governance"],
  );

  examples(
    gov
      .command("add-root")
      .description("add a root authority (a trust anchor that accredits others) for a scope of types")
      .argument("<root>", "the root's alias, DID or address")
      .requiredOption("--as <identity>", "the governance identity")
      .requiredOption("--types <types>", "comma-separated type names the root may accredit", collectList)
      .option(
        "--valid-from <time>",
        "start of validity (date, date-time or unix seconds); default none of its own: in force from the block that adds it, never earlier",
        parseTime("--valid-from"),
      )
      .option("--valid-until <time>", "end of validity (default: none)", parseTime("--valid-until"))
      .option("--metadata-uri <uri>", "where the root's public profile lives")
      .option("--metadata-hash <bytes32>", "keccak256 of that profile")
      .action(act(addRoot)),
    ['ler gov add-root "Qualifications Authority" --types Degree,Course,Certificate,Competency --as governance'],
  );

  examples(gov.command("types").description("list the registered credential types").action(act(types)), [
    "ler gov types --json",
  ]);
}

async function registerTypes(s: Session, names: string[], opts: { as: string }): Promise<void> {
  const agent = await s.agent("chain");
  const network = await s.network("chain");
  const governor = await resolveIdentity(agent, s.settings.network, opts.as);
  const existing = new Map((await registeredTypes(network)).map((t) => [t.name, t.id]));
  const results: { name: string; typeId: number; registered: boolean; tx?: WriteResult }[] = [];
  for (const name of [...new Set(names.map((n) => n.trim()).filter((n) => n !== ""))]) {
    const known = existing.get(name);
    if (known !== undefined) {
      results.push({ name, typeId: known, registered: false });
      continue;
    }
    const { typeId, tx } = await agent.lerRegisterType({ governor: governor.did, name });
    results.push({ name, typeId, registered: true, tx });
  }
  s.out.result({ types: results }, () => {
    for (const r of results) {
      if (r.registered) done(s.out, `Registered type ${r.name} as id ${r.typeId}`, r.tx);
      else s.out.line(`${s.out.c.dim("•")} ${r.name} is already registered as id ${r.typeId}`);
    }
  });
}

async function addRoot(
  s: Session,
  rootRef: string,
  opts: {
    as: string;
    types: string[];
    validFrom?: number;
    validUntil?: number;
    metadataUri?: string;
    metadataHash?: string;
  },
): Promise<void> {
  if (opts.types.length === 0) throw new UsageError("empty_scope", "--types names no type.");
  const agent = await s.agent("chain");
  const governor = await resolveIdentity(agent, s.settings.network, opts.as);
  const root = await resolveIdentity(agent, s.settings.network, rootRef);
  const tx = await agent.lerAddRoot({
    governor: governor.did,
    root: root.did,
    types: opts.types,
    ...scopeExtras(opts),
  });
  s.out.result({ root: root.did, types: opts.types, tx }, () => {
    done(s.out, `Added root ${who(root)} for ${opts.types.join(", ")}`, tx);
  });
}

async function types(s: Session): Promise<void> {
  const network = await s.network("chain");
  const list = await registeredTypes(network);
  s.out.result({ types: list }, () => {
    if (list.length === 0)
      s.out.line("No credential types registered yet: `ler gov register-type NAME... --as <governance>`.");
    else
      s.out.table(
        ["ID", "TYPE"],
        list.map((t) => [String(t.id), t.name]),
      );
  });
}
