import type { ChainSnapshot } from "../../chain/snapshotPlan.js";
import type { VerifierMemory } from "../memory.js";
import type { Check } from "../report.js";
import { evaluateTrust, isSuspendedNow, Verdict, verdictCode, verdictMessage, type ChainLink } from "../trust.js";
import { iso, type JudgedAt } from "./common.js";

/**
 * The trust check: the issuer is accredited for every type the credential claims (`no_credential_type`,
 * `unknown_credential_type`), at the trusted time (`judged`: the anchored issuance time, or now), by the chain's
 * history (`not_accredited`, `type_out_of_scope`, `issuer_suspended`, `issuer_revoked`, … see `verdictCode`), under a
 * root this verifier trusts (`untrusted_root`). `trustedRoots` is asked only once a chain reaches a root.
 */
export function trustCheck(
  chain: readonly ChainLink[],
  types: readonly string[],
  snap: Pick<ChainSnapshot, "typeIds">,
  judged: Pick<JudgedAt, "at" | "source">,
  trustedRoots: () => ReadonlySet<string> | undefined,
  memory: VerifierMemory,
): Check {
  const { at, source } = judged;
  // Every trust check says when trust was judged and why that time.
  const when = { at: Number(at), source };
  if (types.length === 0) {
    return {
      id: "trust",
      outcome: "fail",
      code: "no_credential_type",
      message: "The credential names no type to check accreditation for.",
      details: when,
    };
  }
  let root: string | undefined;
  for (const type of types) {
    const typeId = snap.typeIds.get(type);
    if (typeId === undefined) {
      return {
        id: "trust",
        outcome: "fail",
        code: "unknown_credential_type",
        message: `"${type}" is not a credential type of the registry.`,
        details: { type, ...when },
      };
    }
    const answer = evaluateTrust(chain, { typeId, at });
    if (answer.verdict !== Verdict.Trusted) {
      const isIssuer = answer.failedAt === chain[0]?.subject;
      return {
        id: "trust",
        outcome: "fail",
        code: verdictCode(answer.verdict, isIssuer),
        message: verdictMessage(answer.verdict, {
          subject: "The issuer",
          accreditor: isIssuer ? undefined : answer.failedAt,
          type,
          when:
            source === "anchor"
              ? `its anchored issuance time (${iso(Number(at))})`
              : `the time of verification (${iso(Number(at))}; no anchor)`,
          suspendedNow: isSuspendedNow(chain, answer.failedAt),
        }),
        details: { type, failedAt: answer.failedAt, ...when },
      };
    }
    root = answer.root;
  }
  const roots = root === undefined ? undefined : trustedRoots();
  if (roots !== undefined && root !== undefined) {
    if (!roots.has(root)) {
      return {
        id: "trust",
        outcome: "fail",
        code: "untrusted_root",
        message: `The chain ends at root ${root}, which this verifier does not trust.`,
        details: { root, ...when },
      };
    }
  }
  return memory.intern(`c|tr|${JSON.stringify(types)}|${at}|${source}|${root}`, (): Check => ({
    id: "trust",
    outcome: "pass",
    code: "trusted",
    message:
      source === "anchor"
        ? `Accredited for ${types.join(", ")} at ${iso(Number(at))}, its anchored issuance time, under root ${root}.`
        : `Accredited for ${types.join(", ")} now (${iso(Number(at))}): not anchored, so trust is judged at verification time; under root ${root}.`,
    details: { types, root, ...when },
  }));
}
