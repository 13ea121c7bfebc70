import { network } from "hardhat";
import type { Contract, Signer } from "ethers";
import { didRegistryArtifact } from "../../src/chain/artifacts.js";
import { deployRegistries } from "../../src/chain/deploy.js";
import type { Deployment } from "../../src/chain/deployments.js";

export const ROLE_ISSUER = 1;
export const ROLE_ACCREDITOR = 2;
export const ROLE_BOTH = 3;
export const FOREVER = 2n ** 40n - 1n;

/** A fresh in-process chain with every registry deployed and the usual actors. */
export async function deployFixture() {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const [deployer, governor, accreditor, university, bootcamp, stranger, relayer, ...others] =
    await ethers.getSigners();
  const { deployment } = await deployRegistries(deployer!, { network: "hardhat", governor: await governor!.getAddress() });
  const at = (name: "TrustRegistry" | "StatusRegistry" | "Multicall3") =>
    ethers.getContractAt(name, deployment.contracts[name].address);
  const didRegistry = new ethers.Contract(
    deployment.contracts.EthereumDIDRegistry.address,
    didRegistryArtifact().abi,
    deployer,
  ) as Contract;
  return {
    connection,
    ethers,
    networkHelpers,
    deployment: deployment as Deployment,
    trust: await at("TrustRegistry"),
    status: await at("StatusRegistry"),
    multicall: await at("Multicall3"),
    didRegistry,
    deployer: deployer!,
    governor: governor!,
    accreditor: accreditor!,
    university: university!,
    bootcamp: bootcamp!,
    stranger: stranger!,
    relayer: relayer!,
    others: others as Signer[],
  };
}
