import { network } from "hardhat";
import type { Contract, Signer } from "ethers";
import { didRegistryArtifact } from "../../src/chain/artifacts.js";
import { deployRegistries } from "../../src/chain/deploy.js";
import { signAccreditationConsent } from "../../src/chain/signedCall.js";

export const ROLE_ISSUER = 1;
export const ROLE_ACCREDITOR = 2;
export const ROLE_BOTH = 3;
/** validUntil meaning "no end". */
export const FOREVER = 2n ** 40n - 1n;
export const NO_HASH = `0x${"00".repeat(32)}`;

/** Type ids registered by the fixture, in order. */
export const TYPES = ["Degree", "Course", "Certificate", "Competency", "License"] as const;
export const bit = (name: (typeof TYPES)[number]) => 1n << BigInt(TYPES.indexOf(name));

/**
 * One in-process chain per test file. `load()` gives every test the same freshly deployed registries (a chain
 * snapshot, restored between tests): governance has registered TYPES and a root accreditor with every type.
 */
export async function createRegistryFixture() {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;

  async function deploy() {
    const [deployer, governor, root, accreditor, university, bootcamp, stranger, relayer, ...others] =
      (await ethers.getSigners()) as Signer[] as Awaited<ReturnType<typeof ethers.getSigners>>;
    const { deployment } = await deployRegistries(deployer!, {
      network: "hardhat",
      governor: await governor!.getAddress(),
    });
    const trust = await ethers.getContractAt("TrustRegistry", deployment.contracts.TrustRegistry.address);
    const status = await ethers.getContractAt("StatusRegistry", deployment.contracts.StatusRegistry.address);
    const multicall = await ethers.getContractAt("Multicall3", deployment.contracts.Multicall3.address);
    const didRegistry = new ethers.Contract(
      deployment.contracts.EthereumDIDRegistry.address,
      didRegistryArtifact().abi,
      deployer,
    ) as Contract;
    for (const name of TYPES) await trust.connect(governor).registerType(name);
    await trust.connect(governor).addRoot(root!.address, (1n << BigInt(TYPES.length)) - 1n, 0, FOREVER, "", NO_HASH);
    return {
      deployment,
      trust,
      status,
      multicall,
      didRegistry,
      deployer: deployer!,
      governor: governor!,
      root: root!,
      accreditor: accreditor!,
      university: university!,
      bootcamp: bootcamp!,
      stranger: stranger!,
      relayer: relayer!,
      others,
    };
  }

  return {
    connection,
    ethers,
    networkHelpers,
    load: () => networkHelpers.loadFixture(deploy),
  };
}

/** A deadline for consents that never runs out within a test. */
export const NO_DEADLINE = 2n ** 40n;

/**
 * `parent` (its owner sends) accredits `subject`, whose owner signs its consent to exactly these terms. Returns the
 * transaction. `trust` is a TrustRegistry contract connected to any runner.
 */
export async function accreditWithConsent(
  trust: Contract | { getAddress(): Promise<string>; connect(s: Signer): unknown },
  by: Signer,
  parent: string,
  subjectOwner: Signer,
  terms: {
    subject?: string;
    role: number;
    scope: bigint;
    validFrom?: bigint | number;
    validUntil?: bigint | number;
    uri?: string;
    hash?: string;
    deadline?: bigint;
  },
) {
  const subject = terms.subject ?? (await subjectOwner.getAddress());
  const validFrom = terms.validFrom ?? 0;
  const validUntil = terms.validUntil ?? FOREVER;
  const hash = terms.hash ?? NO_HASH;
  const deadline = terms.deadline ?? NO_DEADLINE;
  const provider = by.provider!;
  const chainId = (await provider.getNetwork()).chainId;
  const consent = await signAccreditationConsent(subjectOwner, {
    verifyingContract: await trust.getAddress(),
    chainId,
    terms: {
      parent,
      subject,
      role: terms.role,
      scope: terms.scope,
      validFrom,
      validUntil,
      metadataHash: hash,
      deadline,
    },
  });
  const c = trust.connect(by) as Contract;
  return c.getFunction("accredit")(
    parent,
    subject,
    terms.role,
    terms.scope,
    validFrom,
    validUntil,
    terms.uri ?? "",
    hash,
    deadline,
    consent,
  );
}
