import { expect } from "chai";
import { network } from "hardhat";
import {
  BrowserProvider,
  Contract,
  ContractFactory,
  computeAddress,
  encodeBytes32String,
  parseEther,
  Wallet,
} from "ethers";
import { Resolver } from "did-resolver";
import { EthrDidController, getResolver } from "ethr-did-resolver";
import { didRegistryArtifact } from "../../src/chain/artifacts.js";
import { decodeDidEvents, didEventTopics, parseEthrDid, signingKeysAt } from "../../src/did/ethr.js";

const NAME = "difftest";

describe("did:ethr signing keys (differential against ethr-did-resolver)", function () {
  this.timeout(60_000);

  it("parses did:ethr strictly, refusing look-alikes", () => {
    const a = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4";
    expect(parseEthrDid(`did:ethr:sepolia:${a}`)).to.deep.include({ network: "sepolia", address: a });
    expect(parseEthrDid(`did:ethr:${a.toLowerCase()}`).address).to.equal(a);
    expect(parseEthrDid(`did:ethr:0x14a34:${a}`).network).to.equal("0x14a34");
    for (const bad of [
      `did:ethr:sepolia:${a.slice(0, -1)}c`.replace("5B38", "5b38"), // mixed case, wrong checksum
      `did:ethr:sepolia:0x5B38Da6a701c568545dCfcB03FcB875f56beddC`, // short
      `did:ethr:sepolia:0x5B38Da6a701c568545dCfcB03FcB875f56beddC4 `,
      `did:ethr:ѕepolia:${a}`, // Cyrillic s
      `did:ethr:sepolia:0x5B38Da6a701c568545dCfcB03FcB875f56beddС4`, // Cyrillic C
      `DID:ethr:sepolia:${a}`,
      `did:web:example.com`,
    ]) {
      expect(() => parseEthrDid(bad), bad)
        .to.throw()
        .with.property("code", "unsupported_did");
    }
  });

  it("gives the same signers as the stock resolver at every version of a changing identity", async () => {
    const connection = await network.create();
    const provider = new BrowserProvider(connection.provider as never, 31337, { cacheTimeout: -1 });
    try {
      const funder = await provider.getSigner(0);
      const artifact = didRegistryArtifact();
      const registry = (await new ContractFactory(artifact.abi, artifact.bytecode, funder).deploy()) as Contract;
      await registry.waitForDeployment();
      const registryAddress = await registry.getAddress();
      type EthrProvider = NonNullable<ConstructorParameters<typeof EthrDidController>[4]>;
      const stock = new Resolver(
        getResolver({
          networks: [
            { name: NAME, chainId: 31337, registry: registryAddress, provider: provider as unknown as EthrProvider },
          ],
        }),
      );

      const identity = Wallet.createRandom().connect(provider);
      const owner2 = Wallet.createRandom().connect(provider);
      for (const w of [identity, owner2])
        await (await funder.sendTransaction({ to: w.address, value: parseEther("1") })).wait();
      const as = (w: { address: string }) => registry.connect(w as never) as Contract;
      const pubKey = Wallet.createRandom().signingKey.compressedPublicKey;
      const d1 = Wallet.createRandom().address;
      const d2 = Wallet.createRandom().address;
      const steps: (() => Promise<unknown>)[] = [
        () => as(identity).getFunction("addDelegate")(identity.address, encodeBytes32String("veriKey"), d1, 1000),
        () =>
          as(identity).getFunction("setAttribute")(
            identity.address,
            encodeBytes32String("did/pub/Secp256k1/veriKey/hex"),
            pubKey,
            5000,
          ),
        () => as(identity).getFunction("addDelegate")(identity.address, encodeBytes32String("sigAuth"), d2, 100),
        () =>
          as(identity).getFunction("setAttribute")(
            identity.address,
            encodeBytes32String("did/pub/Secp256k1/enc/hex"),
            Wallet.createRandom().signingKey.compressedPublicKey,
            5000,
          ),
        () => as(identity).getFunction("changeOwner")(identity.address, owner2.address),
        () => as(owner2).getFunction("revokeDelegate")(identity.address, encodeBytes32String("veriKey"), d1),
        () => provider.send("evm_increaseTime", [200]),
        () =>
          as(owner2).getFunction("revokeAttribute")(
            identity.address,
            encodeBytes32String("did/pub/Secp256k1/veriKey/hex"),
            pubKey,
          ),
        () => as(owner2).getFunction("changeOwner")(identity.address, identity.address),
        () => as(identity).getFunction("changeOwner")(identity.address, "0x0000000000000000000000000000000000000000"),
      ];
      const blocks: number[] = [await provider.getBlockNumber()];
      for (const step of steps) {
        const tx = (await step()) as { wait?: () => Promise<unknown> } | null;
        if (tx !== null && typeof tx === "object" && typeof tx.wait === "function") await tx.wait();
        else await provider.send("evm_mine", []);
        blocks.push(await provider.getBlockNumber());
      }
      const logs = await provider.getLogs({
        address: registryAddress,
        topics: didEventTopics(identity.address),
        fromBlock: 0,
      });
      const events = decodeDidEvents(logs);

      for (const form of ["address", "publicKey"] as const) {
        const did = `did:ethr:${NAME}:${form === "address" ? identity.address : identity.signingKey.compressedPublicKey}`;
        const parsed = parseEthrDid(did);
        for (const block of blocks) {
          const time = BigInt((await provider.getBlock(block))!.timestamp);
          const ours = signingKeysAt(parsed, events, { block, time });
          const theirs = await stock.resolve(`${did}?versionId=${block}`);
          const doc = theirs.didDocument;
          const expected = new Set<string>();
          if (doc !== null && theirs.didDocumentMetadata.deactivated !== true) {
            const assertion = new Set((doc.assertionMethod ?? []) as string[]);
            for (const vm of doc.verificationMethod ?? []) {
              if (!assertion.has(vm.id)) continue;
              if (vm.blockchainAccountId !== undefined) expected.add(vm.blockchainAccountId.split(":")[2]!);
              else if (vm.publicKeyHex !== undefined) expected.add(computeAddress(`0x${vm.publicKeyHex}`));
            }
          }
          const got = ours.deactivated
            ? new Set<string>()
            : new Set([...ours.addresses, ...ours.publicKeys.map((k) => computeAddress(k))]);
          expect([...got].sort(), `${form} DID at block ${block}`).to.deep.equal([...expected].sort());
          expect(ours.deactivated).to.equal(theirs.didDocumentMetadata.deactivated === true);
        }
      }
    } finally {
      provider.destroy();
      await connection.close();
    }
  });
});
