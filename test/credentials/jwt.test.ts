import { asVc11 } from "../helpers/vc11.js";
import { expect } from "chai";
import { ES256KSigner, decodeJWT } from "did-jwt";
import { createVerifiableCredentialJwt, normalizeCredential, transformCredentialInput } from "did-jwt-vc";
import { SigningKey, computeAddress, getBytes } from "ethers";
import {
  achievementsOf,
  anchorBatch,
  anchorLeaf,
  checkAnchorProof,
  clrCredential,
  credentialTypesOf,
  issuanceAnchorOf,
  openBadgeCredential,
  parseStatusEntry,
  statusEntry,
  validateLerCredential,
  type Achievement,
} from "../../src/credentials/index.js";

// The VC 1.1 pipeline of earlier releases and of other tools, with the real did-jwt-vc: build (in the 1.1 model),
// compute leaves over the payloads exactly as they will be signed, embed each anchor, sign, then read back as a
// verifier does. Such credentials are still read. Fixed key, fixed times.
const ISSUER_KEY = `0x${"42".repeat(32)}`;
const ISSUER_ADDRESS = computeAddress(new SigningKey(ISSUER_KEY).publicKey);
const ISSUER_DID = `did:ethr:hardhat:${ISSUER_ADDRESS}`;
const HOLDER_DID = "did:ethr:hardhat:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ISSUED_AT = new Date("2024-06-01T12:00:00Z");

const COURSE: Achievement = {
  id: "https://uni.example/achievements/db101",
  type: ["Achievement"],
  achievementType: "Course",
  name: "Databases 101",
  description: "Relational databases.",
  criteria: { narrative: "Pass the exam." },
  alignment: [{ type: ["Alignment"], targetName: "SQL", targetUrl: "https://esco.example/skill/sql" }],
};
const LICENSE: Achievement = {
  id: "https://board.example/licenses/nurse",
  type: ["Achievement"],
  achievementType: "License",
  name: "Registered Nurse",
  description: "Licensed to practise.",
  criteria: { id: "https://board.example/licenses/nurse/criteria" },
};

function batch() {
  const issuer = { id: ISSUER_DID, name: "Example University" };
  const status = (index: number) =>
    statusEntry({ chainId: 31337, registry: REGISTRY, issuer: ISSUER_ADDRESS, list: 3, index });
  return [
    openBadgeCredential({
      id: "urn:uuid:00000000-0000-4000-8000-000000000001",
      issuer,
      subject: { id: HOLDER_DID },
      achievement: COURSE,
      issuedAt: ISSUED_AT,
      status: status(0),
    }),
    openBadgeCredential({
      id: "urn:uuid:00000000-0000-4000-8000-000000000002",
      issuer,
      subject: { id: HOLDER_DID, licenseNumber: "RN-1" },
      achievement: LICENSE,
      issuedAt: ISSUED_AT,
      validUntil: new Date("2029-06-01T00:00:00Z"),
      status: status(1),
    }),
    clrCredential({
      id: "urn:uuid:00000000-0000-4000-8000-000000000003",
      issuer,
      subject: { id: HOLDER_DID },
      achievements: [COURSE, LICENSE],
      issuedAt: ISSUED_AT,
      status: status(2),
    }),
  ];
}

describe("credentials through did-jwt-vc", () => {
  let jwts: string[];
  let root: string;

  before(async () => {
    const credentials = batch().map(asVc11);
    const payloads = credentials.map((c) => transformCredentialInput(structuredClone(c) as never) as object);
    const anchored = anchorBatch(payloads, { chainId: 31337, registry: REGISTRY });
    root = anchored.root;
    const signer = ES256KSigner(getBytes(ISSUER_KEY));
    jwts = await Promise.all(
      credentials.map((c, i) =>
        createVerifiableCredentialJwt({ ...c, issuanceAnchor: anchored.anchors[i] } as never, {
          did: ISSUER_DID,
          signer,
          alg: "ES256K",
        }),
      ),
    );
  });

  it("the signed payload is the one the leaf was computed over: no iat, the anchor at the top", () => {
    const { payload } = decodeJWT(jwts[0]!);
    expect(payload).to.deep.equal({
      iss: ISSUER_DID,
      sub: HOLDER_DID,
      jti: "urn:uuid:00000000-0000-4000-8000-000000000001",
      nbf: 1_717_243_200,
      name: "Databases 101",
      issuer: { type: ["Profile"], name: "Example University" },
      issuanceAnchor: issuanceAnchorOf(payload),
      vc: {
        "@context": [
          "https://www.w3.org/2018/credentials/v1",
          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
          "https://w3id.org/ler/v1",
        ],
        type: ["VerifiableCredential", "OpenBadgeCredential"],
        credentialSubject: { type: ["AchievementSubject"], achievement: COURSE },
        credentialStatus: statusEntry({
          chainId: 31337,
          registry: REGISTRY,
          issuer: ISSUER_ADDRESS,
          list: 3,
          index: 0,
        }),
      },
    });
  });

  it("each decoded payload proves its place under the batch root", () => {
    for (const jwt of jwts) {
      const { payload } = decodeJWT(jwt);
      const anchor = issuanceAnchorOf(payload)!;
      expect([anchor.root, checkAnchorProof(payload, anchor)]).to.deep.equal([root, true]);
    }
    const leaves = jwts.map((jwt) => anchorLeaf(decodeJWT(jwt).payload));
    expect(new Set(leaves).size).to.equal(3);
  });

  it("the normalized credential validates and yields its status, types and achievements", () => {
    const [badge, license, clr] = jwts.map((jwt) => normalizeCredential(jwt) as unknown as Record<string, unknown>) as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    expect([badge, license, clr].map((c) => validateLerCredential(c))).to.deep.equal([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    expect([badge.issuanceDate, license.expirationDate]).to.deep.equal([
      "2024-06-01T12:00:00.000Z",
      "2029-06-01T00:00:00.000Z",
    ]);
    expect(parseStatusEntry(clr.credentialStatus)).to.deep.equal({
      kind: "ler",
      chainId: 31337,
      registry: REGISTRY,
      issuer: ISSUER_ADDRESS,
      list: 3n,
      index: 2,
    });
    expect([credentialTypesOf(badge), credentialTypesOf(license), credentialTypesOf(clr)]).to.deep.equal([
      ["Course"],
      ["License"],
      ["Course", "License"],
    ]);
    expect(achievementsOf(clr)).to.deep.equal([COURSE, LICENSE]);
    expect(issuanceAnchorOf(clr)?.root).to.equal(root);
  });
});
