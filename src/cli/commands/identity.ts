import { Command, Option } from "commander";
import { formatEther } from "ethers";
import type { AccreditationRole } from "../../agent/types.js";
import { ChainError, LerError, UsageError } from "../../errors.js";
import { exportConsent } from "../../issue/exports.js";
import { identityBalances } from "../../issue/identity.js";
import { collectList, parseInteger, parseTime } from "../config.js";
import type { Session } from "../context.js";
import { isoTime } from "../output.js";
import { privateKeyInput } from "../secret.js";
import { didOf, done, examples, resolveIdentity, txLine, type Act } from "./common.js";

export function registerIdentityCommands(program: Command, act: Act): void {
  const id = program
    .command("id")
    .alias("identity")
    .description(
      "did:ethr identities in the encrypted key store: create, import, list, show, rotate, add-delegate, consent",
    );
  examples(id, [
    'ler id create --alias "State University"',
    "LER_PRIVATE_KEY=0x… ler id import --alias governance",
    "ler id list",
    'ler id show "State University"',
  ]);

  examples(
    id
      .command("create")
      .description("create an identity with a new key (nothing is sent to the chain)")
      .option("--alias <name>", "a local name to refer to it by")
      .action(act(create)),
    ['ler id create --alias "State University"', "ler id create --alias ada --json"],
  );

  const imp = id
    .command("import")
    .description(
      "import an identity from its private key (read from the environment or stdin, never from the command line)",
    )
    .option("--alias <name>", "a local name to refer to it by")
    .addOption(new Option("--key-env <var>", "environment variable holding the key").default("LER_PRIVATE_KEY"))
    .option("--stdin", "read the key from stdin (first line)")
    .action(act(importIdentity));
  examples(imp, [
    "LER_PRIVATE_KEY=0xac09…ff80 ler id import --alias governance",
    'pass show ler/university | ler id import --alias "State University" --stdin',
  ]);

  examples(id.command("list").description("list the identities in the key store").action(act(list)), [
    "ler id list",
    "ler id list --json",
  ]);

  examples(
    id
      .command("show")
      .description("show an identity and its DID document, resolved from the chain")
      .argument("<identity>", "alias, DID or address")
      .action(act(show)),
    ["ler id show governance", "ler id show did:ethr:localhost:0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --json"],
  );

  const rotate = id
    .command("rotate")
    .description(
      "move the identity's ERC-1056 ownership to a new key and revoke every live delegate and did/pub key; registry powers move with it",
    )
    .argument("<identity>", "alias or DID of an identity in the key store")
    .action(act(rotateOwner));
  examples(rotate, ['ler id rotate "State University"']);
  rotate.addHelpText(
    "after",
    "\nAfter the owner moves, the new key revokes every ERC-1056 delegate and did/pub/* public-key attribute still\n" +
      "live (a leaked owner key may have added its own); each is listed. Credentials anchored before the rotation stay\n" +
      "valid; unanchored ones signed by the old key, or by a revoked delegate or key, do not. If a revocation fails, the\n" +
      "error lists what is still live: run the rotation again.\n",
  );

  const consent = id
    .command("consent")
    .description(
      "sign this identity's consent to being accredited on given terms, for its accreditor to send (nothing is sent)",
    )
    .argument("<identity>", "alias or DID of an identity in the key store: the subject")
    .requiredOption("--accreditor <identity>", "who will accredit it (alias, DID or address)")
    .requiredOption("--types <types>", "comma-separated credential types", collectList)
    .addOption(
      new Option("--role <role>", "what it may do").choices(["issuer", "accreditor", "both"]).default("issuer"),
    )
    .option(
      "--valid-from <time>",
      "start of validity, as the accreditor will send it (default none of its own: in force from its block)",
      parseTime("--valid-from"),
    )
    .option(
      "--valid-until <time>",
      "end of validity, as the accreditor will send it (default: no end)",
      parseTime("--valid-until"),
    )
    .option("--metadata-hash <bytes32>", "keccak256 of its public profile, as the accreditor will send it")
    .option(
      "--deadline <time>",
      "when the consent expires (default: a week from the chain's now)",
      parseTime("--deadline"),
    )
    .option(
      "--out <file>",
      "also write the consent (JSON) to this file, for `ler accreditor accredit --consent <file>`",
    )
    .action(act(consentCommand));
  examples(consent, [
    'ler id consent "City College" --accreditor did:ethr:localhost:0x90F7…b906 --types Course --out consent.json',
    'ler id consent "City College" --accreditor "Regional Accreditor" --types Degree,Course --valid-until 2030-12-31 --json',
  ]);
  consent.addHelpText(
    "after",
    `
The consent is an EIP-712 signature of the identity's owner key over exactly these terms: the accreditor must send
the same accreditor, role, types, validity and metadata hash, before the deadline. With --json, prints {consent,
deadline, terms, chainId, verifyingContract}, which \`ler accreditor accredit --consent <file>\` reads.
`,
  );

  examples(
    id
      .command("add-delegate")
      .description("add a new key of the key store as a signing delegate (veriKey) of the identity")
      .argument("<identity>", "alias or DID of an identity in the key store")
      .addOption(
        new Option("--days <n>", "how long the delegate is valid")
          .default(3650)
          .argParser(parseInteger("--days", 1, 100 * 365)),
      )
      .action(act(addDelegate)),
    ['ler id add-delegate "State University" --days 365'],
  );
}

async function create(s: Session, opts: { alias?: string }): Promise<void> {
  const agent = await s.agent("local");
  const identity = await agent.lerCreateIdentity(opts.alias !== undefined ? { alias: opts.alias } : {});
  s.out.result(identity, () => {
    done(s.out, `Created ${identity.alias !== undefined ? `"${identity.alias}" ` : ""}${identity.did}`);
  });
}

async function importIdentity(s: Session, opts: { alias?: string; keyEnv: string; stdin?: boolean }): Promise<void> {
  const privateKeyHex = await privateKeyInput({ keyEnv: opts.keyEnv, stdin: opts.stdin === true });
  const agent = await s.agent("local");
  const identity = await agent.lerImportIdentity({
    privateKeyHex,
    ...(opts.alias !== undefined && { alias: opts.alias }),
  });
  s.out.result(identity, () => {
    done(s.out, `Imported ${identity.alias !== undefined ? `"${identity.alias}" ` : ""}${identity.did}`);
  });
}

async function list(s: Session): Promise<void> {
  const agent = await s.agent("local");
  const identities = await agent.lerListIdentities({});
  s.out.result({ network: s.settings.network, identities }, () => {
    if (identities.length === 0) {
      s.out.line(
        `No identities for ${s.settings.network} in ${s.settings.home}: create one with \`ler id create --alias NAME\`.`,
      );
      return;
    }
    s.out.table(
      ["ALIAS", "DID", "OWNER KEY"],
      identities.map((i) => [i.alias ?? "-", i.did, i.owner === i.address ? "(itself)" : i.owner]),
    );
  });
}

async function show(s: Session, ref: string): Promise<void> {
  const direct = didOf(s.settings.network, ref);
  let did: string;
  let alias: string | undefined;
  if (direct !== undefined) {
    did = direct;
  } else {
    const agent = await s.agent("chain");
    const identity = await resolveIdentity(agent, s.settings.network, ref);
    did = identity.did;
    alias = identity.alias;
  }
  const reader = await s.reader("chain");
  const network = await s.network("chain");
  const resolution = await reader.resolveDid({ didUrl: did });
  const error = resolution.didResolutionMetadata.error;
  if (error !== undefined || resolution.didDocument === null) {
    const message = String(resolution.didResolutionMetadata.message ?? error ?? "no document");
    if (/ECONNREFUSED|fetch failed|NETWORK_ERROR|could not detect network|timeout/i.test(message)) {
      throw new ChainError("chain_unreachable", `Cannot resolve ${did}: the chain cannot be reached.`);
    }
    throw new LerError("resolution_failed", `Cannot resolve ${did}: ${message}`, { details: { error } });
  }
  const doc = resolution.didDocument;
  const address = /(0x[0-9a-fA-F]{40})$/.exec(did)?.[1] ?? "";
  const controller = doc.verificationMethod
    ?.find((m) => m.id.endsWith("#controller"))
    ?.blockchainAccountId?.split(":")
    .pop();
  const { balance, ownerBalance } = await identityBalances({ network }, address, controller);
  const info = {
    did,
    ...(alias !== undefined && { alias }),
    address,
    owner: controller ?? address,
    balance: balance?.toString(),
    ...(ownerBalance !== undefined && { ownerBalance: ownerBalance.toString() }),
    didDocument: doc,
    didDocumentMetadata: resolution.didDocumentMetadata,
  };
  s.out.result(info, () => {
    const out = s.out;
    out.line(out.c.bold(did));
    out.fields([
      ["alias", alias],
      ["address", address],
      [
        "owner key",
        controller === undefined || controller.toLowerCase() === address.toLowerCase()
          ? `${address} (itself)`
          : `${controller} (rotated)`,
      ],
      [
        "balance",
        balance === undefined
          ? undefined
          : `${formatEther(balance)} ETH${ownerBalance !== undefined ? `; owner key ${formatEther(ownerBalance)} ETH` : ""}`,
      ],
      ["keys", `${doc.verificationMethod?.length ?? 0} verification method(s)`],
      [
        "updated",
        resolution.didDocumentMetadata.updated === undefined
          ? "never (the document follows from the address)"
          : String(resolution.didDocumentMetadata.updated),
      ],
    ]);
    out.line();
    out.line(out.c.dim("DID document:"));
    out.line(JSON.stringify(doc, null, 2));
  });
}

async function rotateOwner(s: Session, ref: string): Promise<void> {
  const agent = await s.agent("chain");
  const identity = await resolveIdentity(agent, s.settings.network, ref);
  const rotated = await agent.lerRotateOwner({ did: identity.did });
  s.out.result(rotated, () => {
    const out = s.out;
    done(out, `Rotated ${rotated.alias ?? rotated.did}: its owner key is now ${rotated.owner}`, rotated.tx);
    if (rotated.revoked.length === 0) {
      out.line("  No delegate or did/pub key was live: nothing else signs for it.");
      return;
    }
    out.line(`  Revoked ${rotated.revoked.length} signing grant(s) that survived the owner change:`);
    for (const r of rotated.revoked) {
      const what =
        r.kind === "delegate" ? `delegate ${r.delegate} (${r.delegateType})` : `attribute ${r.name} = ${r.value}`;
      out.line(`  ${out.c.green("✔")} ${what}`);
      out.line(`    ${out.c.dim(txLine(r.tx))}`);
    }
  });
}

async function addDelegate(s: Session, ref: string, opts: { days: number }): Promise<void> {
  const agent = await s.agent("chain");
  const identity = await resolveIdentity(agent, s.settings.network, ref);
  const result = await agent.lerAddDelegate({ did: identity.did, validitySeconds: opts.days * 86_400 });
  s.out.result({ did: identity.did, ...result }, () => {
    done(
      s.out,
      `Added signing delegate ${result.delegate} to ${identity.alias ?? identity.did} for ${opts.days} days`,
      result.tx,
    );
  });
}

async function consentCommand(
  s: Session,
  ref: string,
  opts: {
    accreditor: string;
    types: string[];
    role: AccreditationRole;
    validFrom?: number;
    validUntil?: number;
    metadataHash?: string;
    deadline?: number;
    out?: string;
  },
): Promise<void> {
  if (opts.types.length === 0) throw new UsageError("empty_scope", "--types names no type.");
  const agent = await s.agent("chain");
  const subject = await resolveIdentity(agent, s.settings.network, ref);
  const accreditor = await resolveIdentity(agent, s.settings.network, opts.accreditor);
  const signed = await agent.lerSignAccreditationConsent({
    subject: subject.did,
    accreditor: accreditor.did,
    role: opts.role,
    types: opts.types,
    ...(opts.validFrom !== undefined && { validFrom: opts.validFrom }),
    ...(opts.validUntil !== undefined && { validUntil: opts.validUntil }),
    ...(opts.metadataHash !== undefined && { metadataHash: opts.metadataHash }),
    ...(opts.deadline !== undefined && { deadline: opts.deadline }),
  });
  if (opts.out !== undefined) exportConsent(opts.out, signed);
  s.out.result(signed, () => {
    const out = s.out;
    done(
      out,
      `${subject.alias ?? subject.did} consents to be accredited by ${accreditor.alias ?? accreditor.did} as ${opts.role} for ${opts.types.join(", ")}`,
    );
    out.fields([
      ["consent", signed.consent],
      ["deadline", `${isoTime(signed.deadline)} (${signed.deadline})`],
      ["saved to", opts.out],
    ]);
    out.line();
    out.line(out.c.dim("The accreditor sends it with the same terms:"));
    out.line(
      `  ler accreditor accredit ${signed.terms.subject} --types ${opts.types.join(",")} --role ${opts.role}` +
        `${opts.validFrom !== undefined ? ` --valid-from ${opts.validFrom}` : ""}${opts.validUntil !== undefined ? ` --valid-until ${opts.validUntil}` : ""}` +
        `${opts.metadataHash !== undefined ? ` --metadata-hash ${opts.metadataHash}` : ""} --consent ${opts.out ?? signed.consent} --deadline ${signed.deadline} --as <accreditor>`,
    );
  });
}
