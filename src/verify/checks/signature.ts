import { ChainError } from "../../errors.js";
import type { ChainSnapshot } from "../../chain/snapshotPlan.js";
import type { DidEvent, EthrDid, SigningKeys } from "../../did/ethr.js";
import { signatureByKey, signatureValid, type SignatureParts } from "../jwt.js";
import type { VerifierMemory } from "../memory.js";
import type { Check } from "../report.js";
import { secp256k1Backend } from "../secp256k1.js";
import type { JudgedAt, PreparedJwt, Shared } from "./common.js";

/**
 * The signature check, against the keys the issuer's DID document had at the trusted time (`judged.keysAt`, by the
 * DID history in the snapshot): `signature_valid`; `invalid_signature` (not by a key of the issuer, or not by the key
 * the JOSE header's `jwk` gives, or that key is none of the issuer's); `issuer_deactivated`; `unknown_kid` (the
 * header's `kid` names no verification method). A history the node gave that cannot be read leaves it `unknown`
 * (`chain_inconsistent`), for this issuer's credentials only.
 */
export function signatureCheck(
  jwt: PreparedJwt,
  issuer: EthrDid,
  snap: ChainSnapshot,
  judged: Pick<JudgedAt, "keysAt">,
  keysAt: Shared["keysAt"],
  memory: VerifierMemory,
): Check {
  const at = judged.keysAt;
  const events = snap.didEvents.get(issuer.address) ?? [];
  let keys: SigningKeys | undefined;
  let keysError: ChainError | undefined;
  try {
    keys = keysAt(issuer, events, at);
  } catch (e) {
    if (!(e instanceof ChainError)) throw e;
    keysError = e;
  }
  if (keys === undefined) {
    const why =
      keysError ?? new ChainError("chain_inconsistent", `The DID history of ${issuer.did} could not be read.`);
    return { id: "signature", outcome: "unknown", code: why.code, message: why.message };
  }
  if (keys.deactivated)
    return {
      id: "signature",
      outcome: "fail",
      code: "issuer_deactivated",
      message: `The issuer's DID was deactivated.`,
    };
  if (jwt.kid !== undefined && !kidNamesMethod(jwt.kid, issuer, events, at)) {
    return {
      id: "signature",
      outcome: "fail",
      code: "unknown_kid",
      message: `The JOSE header's kid ${JSON.stringify(jwt.kid)} names no verification method of ${issuer.did} as of block ${at.block}.`,
      details: { kid: jwt.kid },
    };
  }
  // A header that names its key (`jwk`, as Open Badges 3.0 credentials do) is checked against that key, which must
  // be one of the issuer's; otherwise every key of the issuer is tried.
  const jwk = jwt.jwk;
  const parts = signatureOf(jwt);
  const by =
    jwk !== undefined
      ? signatureByKey(parts, keys, jwk, secp256k1Backend, memory)
      : signatureValid(parts, keys, secp256k1Backend, memory)
        ? "valid"
        : "invalid";
  if (by === "valid") {
    const did = issuer.did;
    return memory.intern(`c|sg|${did}`, (): Check => ({
      id: "signature",
      outcome: "pass",
      code: "signature_valid",
      message: `Signed by a key of ${did}.`,
    }));
  }
  return {
    id: "signature",
    outcome: "fail",
    code: "invalid_signature",
    message:
      by === "not_issuer_key"
        ? `The JOSE header's jwk is no key of ${issuer.did} as of block ${at.block}.`
        : jwk !== undefined
          ? "The signature is not by the key the JOSE header's jwk gives."
          : `The signature is not by a key of ${issuer.did} as of block ${at.block}.`,
  };
}

/** The signature and digest as the signature check takes them (views of one buffer). */
function signatureOf(jwt: PreparedJwt): SignatureParts {
  const n = jwt.parts.length - 32;
  return { alg: jwt.alg, signature: jwt.parts.subarray(0, n), digest: jwt.parts.subarray(n) };
}

/**
 * Whether a JOSE `kid` (the issuer's DID URL, or a bare fragment relative to it) names a verification method of the
 * issuer's DID document at `at`, as ethr-did-resolver builds it: `#controller`, `#controllerKey` (a public-key DID
 * whose owner is unchanged), and `#delegate-N` for each live delegate (veriKey, sigAuth) and `did/pub/…` key, numbered
 * by every delegate event and `did/pub/` attribute event in order, live or not.
 */
export function kidNamesMethod(
  kid: unknown,
  did: EthrDid,
  events: readonly DidEvent[],
  at: { block: number; time: bigint },
): boolean {
  if (typeof kid !== "string") return false;
  const fragment = kid.startsWith("#")
    ? kid.slice(1)
    : kid.startsWith(`${did.did}#`)
      ? kid.slice(did.did.length + 1)
      : undefined;
  if (fragment === undefined) return false;
  let owner = did.address;
  let count = 0;
  const methods = new Map<string, string>();
  for (const e of events) {
    if (e.kind === "unreadable" || e.block > at.block) continue;
    if (e.kind === "owner") {
      owner = e.owner;
      continue;
    }
    const index = e.kind === "delegate" ? `d-${e.delegateType}-${e.delegate}` : `a-${e.name}-${e.value}`;
    if (e.validTo !== 0n && e.validTo >= at.time) {
      if (e.kind === "delegate") {
        count++;
        if (e.delegateType === "veriKey" || e.delegateType === "sigAuth") methods.set(index, `delegate-${count}`);
      } else if (/^did\/pub\/\w+(?:\/\w+)?(?:\/\w+)?$/.test(e.name)) {
        count++;
        methods.set(index, `delegate-${count}`);
      }
    } else {
      if (e.kind === "delegate" || /^did\/pub\//.test(e.name)) count++;
      methods.delete(index);
    }
  }
  if (fragment === "controller") return true;
  if (fragment === "controllerKey") return did.publicKey !== undefined && owner === did.address;
  return [...methods.values()].includes(fragment);
}
