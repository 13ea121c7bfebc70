import { randomUUID } from "node:crypto";
import type { IIdentifier, IKeyManager, TAgent } from "@veramo/core";
import { credentialJwtOf, josePresentationPayload } from "../credentials/jose.js";
import { LerError, UsageError } from "../errors.js";

/** What a holder presents: its credentials (compact JWTs, or objects carrying one), bound to a challenge and domain. */
export interface PresentationRequest {
  credentials: readonly unknown[];
  challenge: string;
  domain: string;
}

/**
 * A presentation of `request.credentials` by `holder`, signed with its controller key (VC 2.0 secured as a JWT,
 * VC-JOSE: the presentation is the payload, each credential enveloped whole). `issuedAt` is unix seconds.
 */
export async function createPresentation(
  agent: TAgent<IKeyManager>,
  holder: IIdentifier,
  request: PresentationRequest,
  issuedAt: number,
): Promise<{ jwt: string }> {
  const key = holder.keys.find((k) => k.kid === holder.controllerKeyId) ?? holder.keys[0];
  if (key === undefined) throw new LerError("no_signer", `This key store holds no key for ${holder.did}.`);
  const payload = josePresentationPayload({
    id: `urn:uuid:${randomUUID()}`,
    holder: holder.did,
    credentials: request.credentials.map((c) => {
      const jwt = credentialJwtOf(c);
      if (typeof jwt !== "string")
        throw new UsageError("invalid_argument", "A presented credential is a compact JWT (or carries one).");
      return jwt;
    }),
    challenge: request.challenge,
    domain: request.domain,
    issuedAt,
  });
  const b64 = (value: object) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  const signingInput = `${b64({ alg: "ES256K", typ: "vp+jwt" })}.${b64(payload)}`;
  const signature = await agent.keyManagerSign({
    keyRef: key.kid,
    algorithm: "ES256K",
    data: signingInput,
    encoding: "utf-8",
  });
  return { jwt: `${signingInput}.${signature}` };
}
