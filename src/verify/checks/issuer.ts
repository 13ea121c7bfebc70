import { LerError } from "../../errors.js";
import { didNamesChain, parseEthrDid, type EthrDid } from "../../did/ethr.js";
import type { VerifierScope } from "../context.js";
import type { VerifierMemory } from "../memory.js";
import type { Check } from "../report.js";
import { uncompressedKey } from "../secp256k1.js";
import { failure } from "./common.js";

/**
 * The issuer check: `iss` is a did:ethr of this chain (`missing_issuer`, `invalid_did`, `invalid_issuer`,
 * `wrong_network`), and every place the credential names its issuer names it (`iss_mismatch`): the vc claim, a
 * top-level claim (which did-jwt-vc's normalisation lets override `iss`), the normalised credential itself.
 * On a pass, the parsed DID comes with the check.
 */
export function issuerCheck(
  payload: Record<string, unknown>,
  credential: Record<string, unknown>,
  scope: VerifierScope,
  memory: VerifierMemory,
): { check: Check; issuer?: EthrDid } {
  const iss = payload.iss;
  try {
    if (typeof iss !== "string") throw new LerError("missing_issuer", "The JWT has no `iss` claim.");
    const issuer = memory.issuerDid(iss, () => issuerDid(iss));
    if (!didNamesChain(issuer, { name: scope.networkName, chainId: scope.deployment.chainId })) {
      throw new LerError(
        "wrong_network",
        `The issuer ${iss} is not on this chain (${scope.networkName}, ${scope.deployment.chainId}).`,
      );
    }
    for (const value of [
      (payload.vc as Record<string, unknown> | undefined)?.issuer,
      payload.issuer,
      credential.issuer,
    ]) {
      if (value === undefined) continue;
      // An issuer object without an id (did-jwt-vc moves the id into `iss`) names no one else.
      const named = typeof value === "string" ? value : (value as { id?: unknown } | null)?.id;
      if (named !== undefined && named !== iss) {
        throw new LerError(
          "iss_mismatch",
          `The credential names issuer ${String(named)} but the JWT was issued by ${iss}.`,
        );
      }
    }
    return {
      issuer,
      check: memory.intern(`c|is|${iss}`, (): Check => ({
        id: "issuer",
        outcome: "pass",
        code: "issuer_did",
        message: `Issuer ${iss}.`,
      })),
    };
  } catch (e) {
    return { check: failure("issuer", e) };
  }
}

/** An issuer DID, parsed (the address checksum checked). */
function issuerDid(iss: string): EthrDid {
  // A public-key did:ethr names its key: one that is no point of secp256k1 names no one (parseEthrDid would throw a
  // bare curve error for it, which is no answer about the credential).
  const key = /:0x(0[23][0-9a-fA-F]{64})$/.exec(iss)?.[1];
  if (key !== undefined && /^did:ethr:/.test(iss) && uncompressedKey(Buffer.from(key, "hex")) === undefined) {
    throw new LerError(
      "invalid_issuer",
      `The public key in ${iss} is not a point of secp256k1: no key can sign for it.`,
    );
  }
  return parseEthrDid(iss);
}
