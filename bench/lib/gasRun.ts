/**
 * The gas benchmark's measurements: every write of this project's registries, and peers doing the same jobs (EAS,
 * ERC-1056, a one-hash-per-slot mapping), measured on one fresh in-process chain from the receipts' `gasUsed`. Fixed
 * keys, inputs, genesis and block times: the figures change only when the code (or the compiler, or the chain's
 * rules) does. `npm run bench:gas` (bench/gas.ts) writes them to bench/results; test/gas.test.ts compares a fresh run
 * with that snapshot.
 */
import {
  AbiCoder,
  Contract,
  ContractFactory,
  Interface,
  Signature,
  Wallet,
  encodeBytes32String,
  keccak256,
  toUtf8Bytes,
  type Signer,
} from "ethers";
import { config, network } from "hardhat";
import { didRegistryArtifact, projectArtifact } from "../../src/chain/artifacts.js";
import { deployRegistries } from "../../src/chain/deploy.js";
import { signCall } from "../../src/chain/signedCall.js";
import { GasMeter, fitsInTransaction, largestBatch, linearFit } from "./meter.js";
import { EAS_REVOKE_TYPES, attestedUids, easArtifact, packageVersion, registeredSchema } from "./peers.js";
import {
  THIS_PROJECT,
  evaluateTargets,
  formatGas,
  renderMarkdown,
  toRecords,
  type GasRecord,
  type Target,
} from "./report.js";
import {
  metadata,
  pseudoAddress,
  pseudoHash,
  pseudoHashes,
  pseudoInt,
  sequentialIndices,
  sequentialWords,
} from "./values.js";

const COMMAND = "npm run bench:gas";

// A fixed genesis time and pinned block times: nothing in the results depends on when the benchmark runs.
const GENESIS = "2026-01-01T00:00:00Z";
const GENESIS_SECONDS = Date.parse(GENESIS) / 1000;
const VALID_FROM = 1_756_684_800n; // 2025-09-01
const VALID_UNTIL = 1_914_451_200n; // 2030-09-01
const RENEWED_UNTIL = 1_946_073_600n; // 2031-09-01
const DEADLINE = 4_102_444_800n; // 2100-01-01
const LIST_BITS = 32n; // list ids as an issuer might number them: random-looking, well inside uint64
const LIST_SIZE = 1n << 20n;
const SEQUENTIAL = [1, 256, 10_000] as const;
const ROLE_ISSUER = 1;
const EIP_7825_TRANSACTION_GAS_CAP = 16_777_216n;
const POST_OSAKA = ["osaka", "amsterdam"];

const EAS_SYSTEM = "EAS";
const ERC1056_SYSTEM = "ERC-1056";
const HASH_SYSTEM = "Hash per slot";

const TARGETS: Target[] = [
  {
    description: "Revoke one, in a word that already has a bit set",
    measurement: "status.revoke.usedWord",
    per: "transaction",
    limit: 35_000,
  },
  {
    description: "Revoke 10,000 sequential (revokeWords)",
    measurement: "status.revokeWords.10000",
    per: "item",
    limit: 100,
  },
  { description: "revokeHash", measurement: "status.revokeHash", per: "transaction", limit: 52_000 },
  { description: "anchor", measurement: "status.anchor", per: "transaction", limit: 52_000 },
  {
    description: "accredit, one-type scope, the subject's consent signed in it",
    measurement: "trust.accredit",
    per: "transaction",
    limit: 110_000,
  },
  { description: "update", measurement: "trust.update", per: "transaction", limit: 75_000 },
  { description: "suspend", measurement: "trust.suspend", per: "transaction", limit: 75_000 },
  { description: "reinstate", measurement: "trust.reinstate", per: "transaction", limit: 75_000 },
  { description: "revoke (accreditation)", measurement: "trust.revoke", per: "transaction", limit: 75_000 },
];

export interface GasRun {
  /** The tables, as bench/results/gas.md holds them. */
  markdown: string;
  /** The figures, as bench/results/gas.json holds them. */
  records: GasRecord[];
}

/** Runs every measurement on a fresh in-process chain (a `network.create()` of the Hardhat runtime loaded). */
export async function runGasBenchmark(): Promise<GasRun> {
  const connection = await network.create({ override: { initialDate: GENESIS } });
  const { ethers } = connection;
  const signers: Signer[] = await ethers.getSigners();
  const account = (i: number): Signer => {
    const signer = signers[i];
    if (signer === undefined) throw new Error(`the benchmark needs ${i + 1} funded accounts`);
    return signer;
  };
  const [deployer, governor, root, university, relayer] = [0, 1, 2, 3, 4].map(account) as [
    Signer,
    Signer,
    Signer,
    Signer,
    Signer,
  ];
  const governorAddress = await governor.getAddress();
  const rootAddress = await root.getAddress();
  const issuerAddress = await university.getAddress();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const networkConfig = connection.networkConfig;
  if (networkConfig.type !== "edr-simulated") throw new Error("the benchmark needs an in-process chain");
  const blockGasLimit = (await ethers.provider.getBlock("latest"))!.gasLimit;
  // What one transaction may use: EIP-7825 caps it from Osaka on, below the block gas limit.
  const txGasCap =
    typeof networkConfig.transactionGasCap === "bigint"
      ? networkConfig.transactionGasCap
      : networkConfig.transactionGasCap !== false && POST_OSAKA.includes(networkConfig.hardfork)
        ? EIP_7825_TRANSACTION_GAS_CAP
        : blockGasLimit;

  const { deployment } = await deployRegistries(deployer, { network: "hardhat", governor: governorAddress });
  const meter = new GasMeter(connection.provider, GENESIS_SECONDS + 3600);
  const at = (address: string, abi: Interface | ConstructorParameters<typeof Interface>[0], runner: Signer) =>
    new Contract(address, abi, runner);
  const trustAddress = deployment.contracts.TrustRegistry.address;
  const statusAddress = deployment.contracts.StatusRegistry.address;
  const didRegistryAddress = deployment.contracts.EthereumDIDRegistry.address;
  const trustAbi = projectArtifact("TrustRegistry").abi;
  const statusAbi = projectArtifact("StatusRegistry").abi;

  /* ---------------------------------------------------------------- This project: TrustRegistry */

  {
    const trust = at(trustAddress, trustAbi, governor);
    const byRoot = at(trustAddress, trustAbi, root);
    const types = ["OpenBadgeCredential", "Degree", "EmploymentRecord"];
    await meter.send("registerType (first)", () => trust.getFunction("registerType")(types[0]));
    await meter.measure(
      {
        id: "trust.registerType",
        job: "accredit / attest",
        system: THIS_PROJECT,
        operation: "TrustRegistry.registerType (a further type)",
        batchSize: 1,
      },
      () => trust.getFunction("registerType")(types[1]),
    );
    await meter.send("registerType (third)", () => trust.getFunction("registerType")(types[2]));

    const rootMeta = metadata("root authority");
    await meter.measure(
      {
        id: "trust.addRoot",
        job: "accredit / attest",
        system: THIS_PROJECT,
        operation: "TrustRegistry.addRoot (3-type scope, URI + hash)",
        batchSize: 1,
      },
      () => trust.getFunction("addRoot")(rootAddress, 0b111n, VALID_FROM, VALID_UNTIL, rootMeta.uri, rootMeta.hash),
    );

    // The subject consents by signing the terms (EIP-712); the accreditor sends the transaction.
    const subjectKey = new Wallet(keccak256(toUtf8Bytes("issuer/accredited")));
    const subject = subjectKey.address;
    const meta = metadata("issuer accreditation");
    const consent = subjectKey.signingKey.sign(
      await trust.getFunction("consentDigest")(
        rootAddress,
        subject,
        ROLE_ISSUER,
        1n << 1n,
        VALID_FROM,
        VALID_UNTIL,
        meta.hash,
        DEADLINE,
      ),
    ).serialized;
    await meter.measure(
      {
        id: "trust.accredit",
        job: "accredit / attest",
        system: THIS_PROJECT,
        operation:
          "TrustRegistry.accredit (issuer, one-type scope, 59-char ipfs:// URI + hash, subject's EIP-712 consent)",
        batchSize: 1,
      },
      () =>
        byRoot.getFunction("accredit")(
          rootAddress,
          subject,
          ROLE_ISSUER,
          1n << 1n,
          VALID_FROM,
          VALID_UNTIL,
          meta.uri,
          meta.hash,
          DEADLINE,
          consent,
        ),
    );
    const renewed = metadata("issuer accreditation, renewed");
    await meter.measure(
      {
        id: "trust.update",
        job: "accredit / attest",
        system: THIS_PROJECT,
        operation: "TrustRegistry.update (renewal: new validUntil, URI + hash)",
        batchSize: 1,
      },
      () =>
        byRoot.getFunction("update")(
          subject,
          ROLE_ISSUER,
          1n << 1n,
          VALID_FROM,
          RENEWED_UNTIL,
          1,
          renewed.uri,
          renewed.hash,
        ),
    );
    await meter.measure(
      {
        id: "trust.suspend",
        job: "accredit / attest",
        system: THIS_PROJECT,
        operation: "TrustRegistry.suspend",
        batchSize: 1,
      },
      () => byRoot.getFunction("suspend")(subject, 2),
    );
    await meter.measure(
      {
        id: "trust.reinstate",
        job: "accredit / attest",
        system: THIS_PROJECT,
        operation: "TrustRegistry.reinstate",
        batchSize: 1,
      },
      () => byRoot.getFunction("reinstate")(subject, 0),
    );
    await meter.measure(
      {
        id: "trust.revoke",
        job: "accredit / attest",
        system: THIS_PROJECT,
        operation: "TrustRegistry.revoke (effective in the past)",
        batchSize: 1,
      },
      () => byRoot.getFunction("revoke")(subject, BigInt(GENESIS_SECONDS), 3),
    );
  }

  /* ---------------------------------------------------------------- This project: StatusRegistry */

  const status = at(statusAddress, statusAbi, university);
  {
    // Single entries at random positions, as the Bitstring Status List advises for privacy.
    const list = pseudoInt("list/singles", 1n << LIST_BITS);
    const first = pseudoInt("index/first", LIST_SIZE);
    const sameWord = (first & ~255n) | ((first + 1n + pseudoInt("index/second", 255n)) & 255n);
    const suspended = pseudoInt("index/suspended", LIST_SIZE);
    let signed = pseudoInt("index/signed", LIST_SIZE);
    if (signed >> 8n === first >> 8n || signed >> 8n === suspended >> 8n) signed ^= 1n << 12n;

    await meter.measure(
      {
        id: "status.revoke.freshWord",
        job: "revoke one",
        system: THIS_PROJECT,
        operation: "StatusRegistry.revoke (first bit in a fresh word)",
        batchSize: 1,
      },
      () => status.getFunction("revoke")(issuerAddress, list, first),
    );
    await meter.measure(
      {
        id: "status.revoke.usedWord",
        job: "revoke one",
        system: THIS_PROJECT,
        operation: "StatusRegistry.revoke (second bit in a word already set)",
        batchSize: 1,
        baseline: "status.revoke.freshWord",
      },
      () => status.getFunction("revoke")(issuerAddress, list, sameWord),
    );
    await meter.measure(
      {
        id: "status.suspend",
        job: "revoke one",
        system: THIS_PROJECT,
        operation: "StatusRegistry.suspend (fresh word)",
        batchSize: 1,
      },
      () => status.getFunction("suspend")(issuerAddress, list, suspended),
    );
    await meter.measure(
      {
        id: "status.reinstate",
        job: "revoke one",
        system: THIS_PROJECT,
        operation: "StatusRegistry.reinstate (clears it; refund included)",
        batchSize: 1,
      },
      () => status.getFunction("reinstate")(issuerAddress, list, suspended),
    );

    const call = await signCall(university, {
      registry: "StatusRegistry",
      verifyingContract: statusAddress,
      chainId,
      data: status.interface.encodeFunctionData("revoke", [issuerAddress, list, signed]),
      nonce: (await status.getFunction("nonces")(issuerAddress)) as bigint,
      deadline: DEADLINE,
    });
    await meter.measure(
      {
        id: "status.callWithSignature.revoke",
        job: "revoke one",
        system: THIS_PROJECT,
        operation: "StatusRegistry.callWithSignature(revoke), EIP-712 signed, relayed (fresh word)",
        batchSize: 1,
      },
      () =>
        at(statusAddress, statusAbi, relayer).getFunction("callWithSignature")(
          call.signer,
          call.data,
          call.nonce,
          call.deadline,
          call.signature,
        ),
    );
  }

  {
    // Sequential batches, each on fresh words of its own list, word-aligned as an issuer assigning in order would be.
    const wordsList = pseudoInt("list/words", 1n << LIST_BITS);
    const indicesList = pseudoInt("list/indices", 1n << LIST_BITS);
    let next = 0n;
    for (const n of SEQUENTIAL) {
      const { wordIndices, masks } = sequentialWords(next, n);
      await meter.measure(
        {
          id: `status.revokeWords.${n}`,
          job: "revoke N sequential",
          system: THIS_PROJECT,
          operation: `StatusRegistry.revokeWords (${describeWords(masks)})`,
          batchSize: n,
        },
        () => status.getFunction("revokeWords")(issuerAddress, wordsList, wordIndices, masks),
      );
      next += BigInt(Math.ceil(n / 256) * 256);
    }

    next = 0n;
    const revokeIndices = status.getFunction("revokeIndices");
    for (const n of SEQUENTIAL) {
      let size: number = n;
      const from = next;
      if (n === SEQUENTIAL[SEQUENTIAL.length - 1]) {
        const { fixed, perItem } = linearFit(
          meter.get("status.revokeIndices.1"),
          meter.get("status.revokeIndices.256"),
        );
        size = await largestBatch({
          max: n,
          known: 256,
          guess: Math.floor((Number(txGasCap) - fixed) / perItem),
          fits: (k) =>
            fitsInTransaction(() => revokeIndices.estimateGas(issuerAddress, indicesList, sequentialIndices(from, k))),
        });
      }
      await meter.measure(
        {
          id: `status.revokeIndices.${n}`,
          job: "revoke N sequential",
          system: THIS_PROJECT,
          operation: `StatusRegistry.revokeIndices${size < n ? " (largest that fits)" : ""}`,
          batchSize: size,
          baseline: `status.revokeWords.${n}`,
        },
        () => revokeIndices(issuerAddress, indicesList, sequentialIndices(from, size)),
      );
      next += BigInt(Math.ceil(n / 256) * 256);
    }

    await meter.measure(
      {
        id: "status.revokeHash",
        job: "revoke by hash",
        system: THIS_PROJECT,
        operation: "StatusRegistry.revokeHash",
        batchSize: 1,
      },
      () => status.getFunction("revokeHash")(issuerAddress, pseudoHash("credential/by-hash")),
    );
    await meter.measure(
      {
        id: "status.revokeHashes.256",
        job: "revoke by hash",
        system: THIS_PROJECT,
        operation: "StatusRegistry.revokeHashes",
        batchSize: 256,
      },
      () => status.getFunction("revokeHashes")(issuerAddress, pseudoHashes("credential/by-hash/batch", 256)),
    );
    await meter.measure(
      {
        id: "status.anchor",
        job: "anchor / timestamp",
        system: THIS_PROJECT,
        operation: "StatusRegistry.anchor (one Merkle root for the batch)",
        batchSize: 1,
        anyBatch: true,
      },
      () => status.getFunction("anchor")(issuerAddress, pseudoHash("issuance/root")),
    );
  }

  /* ---------------------------------------------------------------- Peer: EAS */

  const schemaRegistryArtifact = easArtifact("SchemaRegistry");
  const easContractArtifact = easArtifact("EAS");
  const schemaRegistryIface = new Interface(schemaRegistryArtifact.abi);
  const easIface = new Interface(easContractArtifact.abi);
  const deployPeer = async (what: string, abi: Interface, bytecode: string, args: unknown[]) => {
    const receipt = await meter.send(`deploy ${what}`, async () => {
      const contract = await new ContractFactory(abi, bytecode, deployer).deploy(...args);
      return contract.deploymentTransaction()!;
    });
    if (receipt.contractAddress === null) throw new Error(`${what} deployment created no contract`);
    return receipt.contractAddress;
  };
  const schemaRegistryAddress = await deployPeer(
    "SchemaRegistry",
    schemaRegistryIface,
    schemaRegistryArtifact.bytecode,
    [],
  );
  const easAddress = await deployPeer("EAS", easIface, easContractArtifact.bytecode, [schemaRegistryAddress]);
  const easVersion = (await at(easAddress, easIface, deployer).getFunction("version")()) as string;
  const coder = AbiCoder.defaultAbiCoder();
  const ZERO_HASH = `0x${"00".repeat(32)}`;
  const ZERO_ADDRESS = `0x${"00".repeat(20)}`;

  /** The next `n` of `items` from `cursor.at`, which moves past them. */
  function take<T>(items: readonly T[], cursor: { at: number }, n: number): T[] {
    if (cursor.at + n > items.length) throw new Error(`only ${items.length - cursor.at} items left, ${n} wanted`);
    const taken = items.slice(cursor.at, cursor.at + n);
    cursor.at += n;
    return taken;
  }

  function takeOne<T>(items: readonly T[], cursor: { at: number }): T {
    return take(items, cursor, 1)[0]!;
  }

  const schemaRegistry = at(schemaRegistryAddress, schemaRegistryIface, governor);
  const accreditationSchema = registeredSchema(
    schemaRegistryIface,
    await meter.measure(
      {
        id: "eas.registerSchema",
        job: "accredit / attest",
        system: EAS_SYSTEM,
        operation: "SchemaRegistry.register (revocable, no resolver)",
        batchSize: 1,
        baseline: "trust.registerType",
      },
      () =>
        schemaRegistry.getFunction("register")(
          "uint8 role,uint256 scope,string metadataURI,bytes32 metadataHash",
          ZERO_ADDRESS,
          true,
        ),
    ),
  );
  const credentialSchema = registeredSchema(
    schemaRegistryIface,
    await meter.send("register the credential schema", () =>
      schemaRegistry.getFunction("register")("bytes32 credentialHash", ZERO_ADDRESS, true),
    ),
  );

  const easByRoot = at(easAddress, easIface, root);
  const easByIssuer = at(easAddress, easIface, university);
  {
    const meta = metadata("issuer accreditation");
    await meter.measure(
      {
        id: "eas.attest",
        job: "accredit / attest",
        system: EAS_SYSTEM,
        operation: "EAS.attest (accreditation: role, scope, same URI + hash)",
        batchSize: 1,
        baseline: "trust.accredit",
      },
      () =>
        easByRoot.getFunction("attest")({
          schema: accreditationSchema,
          data: {
            recipient: pseudoAddress("issuer/attested"),
            expirationTime: VALID_UNTIL,
            revocable: true,
            refUID: ZERO_HASH,
            data: coder.encode(["uint8", "uint256", "string", "bytes32"], [ROLE_ISSUER, 1n << 1n, meta.uri, meta.hash]),
            value: 0n,
          },
        }),
    );
  }

  // EAS revokes attestations: each credential is first attested on chain, which this project never needs.
  const ATTEST_CHUNK = 64;
  const credentials: string[] = [];
  const used = { at: 0 };
  async function attestCredentials(total: number): Promise<void> {
    while (credentials.length < total) {
      const from = credentials.length;
      const k = Math.min(ATTEST_CHUNK, total - from);
      const request = [
        {
          schema: credentialSchema,
          data: Array.from({ length: k }, (_, j) => ({
            recipient: pseudoAddress("holder", from + j),
            expirationTime: 0n,
            revocable: true,
            refUID: ZERO_HASH,
            data: coder.encode(["bytes32"], [pseudoHash("credential/eas", from + j)]),
            value: 0n,
          })),
        },
      ];
      const send = () => easByIssuer.getFunction("multiAttest")(request);
      const receipt =
        from === 0 && k === ATTEST_CHUNK
          ? await meter.measure(
              {
                id: `eas.multiAttest.${k}`,
                job: "anchor / timestamp",
                system: EAS_SYSTEM,
                operation: "EAS.multiAttest (one credential attestation each: bytes32 hash)",
                batchSize: k,
                baseline: "status.anchor",
              },
              send,
            )
          : await meter.send(`attest credentials ${from}..${from + k - 1}`, send);
      const uids = attestedUids(easIface, receipt);
      if (uids.length !== k) throw new Error(`expected ${k} Attested events, got ${uids.length}`);
      credentials.push(...uids);
    }
  }

  await attestCredentials(ATTEST_CHUNK * 5);
  {
    const uid = takeOne(credentials, used);
    await meter.measure(
      {
        id: "eas.revoke",
        job: "revoke one",
        system: EAS_SYSTEM,
        operation: "EAS.revoke (one credential attestation)",
        batchSize: 1,
        baseline: "status.revoke.freshWord",
      },
      () => easByIssuer.getFunction("revoke")({ schema: credentialSchema, data: { uid, value: 0n } }),
    );

    const delegated = takeOne(credentials, used);
    const [, name, version, domainChainId, verifyingContract] = (await easByIssuer.getFunction("eip712Domain")()) as [
      string,
      string,
      string,
      bigint,
      string,
    ];
    const nonce = (await easByIssuer.getFunction("getNonce")(issuerAddress)) as bigint;
    const signature = Signature.from(
      await university.signTypedData({ name, version, chainId: domainChainId, verifyingContract }, EAS_REVOKE_TYPES, {
        revoker: issuerAddress,
        schema: credentialSchema,
        uid: delegated,
        value: 0n,
        nonce,
        deadline: DEADLINE,
      }),
    );
    await meter.measure(
      {
        id: "eas.revokeByDelegation",
        job: "revoke one",
        system: EAS_SYSTEM,
        operation: "EAS.revokeByDelegation (EIP-712 signed, relayed)",
        batchSize: 1,
        baseline: "status.callWithSignature.revoke",
      },
      () =>
        at(easAddress, easIface, relayer).getFunction("revokeByDelegation")({
          schema: credentialSchema,
          data: { uid: delegated, value: 0n },
          signature: { v: signature.v, r: signature.r, s: signature.s },
          revoker: issuerAddress,
          deadline: DEADLINE,
        }),
    );

    const multiRevoke = easByIssuer.getFunction("multiRevoke");
    const request = (uids: readonly string[]) => [
      { schema: credentialSchema, data: uids.map((u) => ({ uid: u, value: 0n })) },
    ];
    for (const n of SEQUENTIAL) {
      let size: number = n;
      if (n === SEQUENTIAL[SEQUENTIAL.length - 1]) {
        const { fixed, perItem } = linearFit(meter.get("eas.multiRevoke.1"), meter.get("eas.multiRevoke.256"));
        const from = used.at;
        size = await largestBatch({
          max: n,
          known: 256,
          guess: Math.floor((Number(txGasCap) - fixed) / perItem),
          prepare: (k) => attestCredentials(from + k),
          fits: (k) => fitsInTransaction(() => multiRevoke.estimateGas(request(credentials.slice(from, from + k)))),
        });
      } else {
        await attestCredentials(used.at + n);
      }
      const uids = take(credentials, used, size);
      await meter.measure(
        {
          id: `eas.multiRevoke.${n}`,
          job: "revoke N sequential",
          system: EAS_SYSTEM,
          operation: `EAS.multiRevoke${size < n ? " (largest that fits)" : ""}`,
          batchSize: size,
          baseline: `status.revokeWords.${n}`,
        },
        () => multiRevoke(request(uids)),
      );
    }

    await meter.measure(
      {
        id: "eas.revokeOffchain",
        job: "revoke by hash",
        system: EAS_SYSTEM,
        operation: "EAS.revokeOffchain (a credential hash)",
        batchSize: 1,
        baseline: "status.revokeHash",
      },
      () => easByIssuer.getFunction("revokeOffchain")(pseudoHash("credential/eas-offchain")),
    );
    await meter.measure(
      {
        id: "eas.multiRevokeOffchain.256",
        job: "revoke by hash",
        system: EAS_SYSTEM,
        operation: "EAS.multiRevokeOffchain",
        batchSize: 256,
        baseline: "status.revokeHashes.256",
      },
      () => easByIssuer.getFunction("multiRevokeOffchain")(pseudoHashes("credential/eas-offchain/batch", 256)),
    );
    await meter.measure(
      {
        id: "eas.timestamp",
        job: "anchor / timestamp",
        system: EAS_SYSTEM,
        operation: "EAS.timestamp (one Merkle root)",
        batchSize: 1,
        baseline: "status.anchor",
      },
      () => easByIssuer.getFunction("timestamp")(pseudoHash("issuance/root/eas")),
    );
    await meter.measure(
      {
        id: "eas.multiTimestamp.256",
        job: "anchor / timestamp",
        system: EAS_SYSTEM,
        operation: "EAS.multiTimestamp (one hash per credential)",
        batchSize: 256,
        baseline: "status.anchor",
      },
      () => easByIssuer.getFunction("multiTimestamp")(pseudoHashes("issuance/credential/eas", 256)),
    );
  }

  /* ---------------------------------------------------------------- Peer: ERC-1056 */

  {
    const didRegistry = at(didRegistryAddress, new Interface(didRegistryArtifact().abi), university);
    const service = encodeBytes32String("did/svc/BitstringStatusList");
    const ONE_YEAR = 365n * 24n * 3600n;
    const list = (version: number) => toUtf8Bytes(metadata(`status list ${version}`).uri);
    await meter.send("publish the first status list", () =>
      didRegistry.getFunction("setAttribute")(issuerAddress, service, list(1), ONE_YEAR),
    );
    await meter.measure(
      {
        id: "erc1056.setAttribute",
        job: "revoke one",
        system: ERC1056_SYSTEM,
        operation: "EthereumDIDRegistry.setAttribute (status-list service → the new list's ipfs:// URI)",
        batchSize: 1,
        baseline: "status.revoke.freshWord",
      },
      () => didRegistry.getFunction("setAttribute")(issuerAddress, service, list(2), ONE_YEAR),
    );
  }

  /* ---------------------------------------------------------------- Peer: one hash per slot */

  {
    const factory = await ethers.getContractFactory("HashRevocationRegistry", deployer);
    const receipt = await meter.send("deploy HashRevocationRegistry", async () => {
      const contract = await factory.deploy(didRegistryAddress, issuerAddress);
      return contract.deploymentTransaction()!;
    });
    const peer = at(receipt.contractAddress!, factory.interface, university);
    await meter.measure(
      {
        id: "hash.revoke",
        job: "revoke by hash",
        system: HASH_SYSTEM,
        operation: "HashRevocationRegistry.revoke",
        batchSize: 1,
        baseline: "status.revokeHash",
      },
      () => peer.getFunction("revoke")(pseudoHash("credential/hash-peer")),
    );
    const revokeBatch = peer.getFunction("revokeBatch");
    let next = 0;
    for (const n of SEQUENTIAL) {
      let size: number = n;
      const from = next;
      if (n === SEQUENTIAL[SEQUENTIAL.length - 1]) {
        const { fixed, perItem } = linearFit(meter.get("hash.revokeBatch.1"), meter.get("hash.revokeBatch.256"));
        size = await largestBatch({
          max: n,
          known: 256,
          guess: Math.floor((Number(txGasCap) - fixed) / perItem),
          fits: (k) =>
            fitsInTransaction(() => revokeBatch.estimateGas(pseudoHashes("credential/hash-peer/batch", k, from))),
        });
      }
      await meter.measure(
        {
          id: `hash.revokeBatch.${n}`,
          job: "revoke N sequential",
          system: HASH_SYSTEM,
          operation: `HashRevocationRegistry.revokeBatch${size < n ? " (largest that fits)" : ""}`,
          batchSize: size,
          baseline: `status.revokeWords.${n}`,
        },
        () => revokeBatch(pseudoHashes("credential/hash-peer/batch", size, from)),
      );
      next += size;
    }
  }

  /* ---------------------------------------------------------------- This project: issuance per credential */

  // Issuing costs one anchor per batch (status indices are allocated off chain), whatever the batch size: measured
  // at each size so that its cost per credential sits beside revokeWords' at the same sizes. Last, so that the rows
  // above keep their pinned block times and state.
  for (const n of SEQUENTIAL) {
    await meter.measure(
      {
        id: `status.anchor.issue.${n}`,
        job: "anchor / timestamp",
        system: THIS_PROJECT,
        operation: `StatusRegistry.anchor: issuing a batch of ${formatNumber(n)} (status indices allocated off chain)`,
        batchSize: n,
      },
      () => status.getFunction("anchor")(issuerAddress, pseudoHash("issuance/batch", n)),
    );
  }

  /* ---------------------------------------------------------------- Report */

  const measurements = meter.measurements;
  const compiler = (config.solidity.profiles["default"]?.compilers ?? []).map(describeCompiler).join("; ");
  const largest = (id: string) => meter.get(id).batchSize;
  const attestGas = meter.get(`eas.multiAttest.${ATTEST_CHUNK}`);
  const markdown = renderMarkdown(measurements, evaluateTargets(TARGETS, measurements), {
    chain:
      `Hardhat ${packageVersion("hardhat")} in-process EDR chain from \`network.create()\`, ` +
      `hardfork ${networkConfig.hardfork}, chain id ${chainId}, ` +
      `default block gas limit ${formatNumber(blockGasLimit)}, ` +
      `per-transaction gas cap ${formatNumber(txGasCap)}` +
      `${txGasCap === EIP_7825_TRANSACTION_GAS_CAP ? " (EIP-7825)" : ""}, genesis ${GENESIS} and pinned block times`,
    compiler,
    command: COMMAND,
    peers: [
      `This project: TrustRegistry and StatusRegistry, deployed by \`deployRegistries\` (src/chain/deploy.ts).`,
      `EAS ${easVersion} (npm @ethereum-attestation-service/eas-contracts ` +
        `${packageVersion("@ethereum-attestation-service/eas-contracts")}): ` +
        `SchemaRegistry and EAS deployed from the package's published artifacts (compiled with its own settings); ` +
        `revocable schemas without resolver.`,
      `ERC-1056: EthereumDIDRegistry from npm ethr-did-registry ${packageVersion("ethr-did-registry")} ` +
        `(published bytecode), the registry this project's contracts consult for identity owners.`,
      `Hash per slot: bench/contracts/HashRevocationRegistry.sol, a benchmark-only peer compiled with this ` +
        `project's settings: one issuer's \`mapping(bytes32 => uint256) revokedAt\`, an event, and the same ` +
        `ERC-1056 owner check.`,
    ],
    jobNotes: {
      "revoke one": [
        "Ref: revoking the first bit of a fresh status word, the dearer of this project's two cases; for EAS's " +
          "signed revocation, this project's signed one. " +
          'EAS can only revoke what it attested on chain first (see multiAttest under "anchor / timestamp"); ' +
          "this project's credentials need no on-chain issuance. The ERC-1056 row republishes a status list kept " +
          "off chain, so one update covers any number of revocations, but the list itself is not on chain.",
      ],
      "revoke N sequential": [
        `Ref: revokeWords at the same batch size (for a smaller "largest that fits" batch, its gas per item at ` +
          `10,000). Sequential entries start on a fresh word-aligned range of a list. "Largest that fits" is the ` +
          `biggest batch whose transaction stays within the per-transaction gas cap, found by gas estimation: ` +
          `revokeIndices ${formatNumber(largest("status.revokeIndices.10000"))}, EAS multiRevoke ` +
          `${formatNumber(largest("eas.multiRevoke.10000"))}, hash per slot ` +
          `${formatNumber(largest("hash.revokeBatch.10000"))} of 10,000.`,
      ],
      "revoke by hash": [
        "Ref: revokeHash for one hash, revokeHashes for 256. The hash-per-slot peer's batches are under " +
          '"revoke N sequential".',
      ],
      "anchor / timestamp": [
        "Ref: one anchor, which covers a batch of any size; a peer's ratio compares its whole transaction with that " +
          `one anchor. EAS multiAttest is what EAS needs before it can revoke a credential: about ` +
          `${formatNumber(Math.round(Number(attestGas.gas) / attestGas.batchSize))} gas per credential.`,
        "Issuing and revoking, per credential, at batch sizes " +
          SEQUENTIAL.map((n) => formatNumber(n)).join(", ") +
          ': issuance (the "issuing a batch of" rows) ' +
          SEQUENTIAL.map((n) => formatPerItem(meter.get(`status.anchor.issue.${n}`))).join(", ") +
          ' gas; revocation (revokeWords under "revoke N sequential") ' +
          SEQUENTIAL.map((n) => formatPerItem(meter.get(`status.revokeWords.${n}`))).join(", ") +
          " gas. Only revoked credentials pay the second.",
      ],
      "accredit / attest": ["Ref: accredit for EAS attest, registerType for SchemaRegistry.register."],
    },
    notes: [
      "Inputs are fixed random-looking addresses, hashes, list ids and indices derived from labels, so calldata " +
        "costs are realistic and the file changes only when the code does.",
      "Gas is L1 execution gas under the chain's rules (from Prague on, calldata-heavy transactions pay the " +
        "EIP-7623 floor); L2 data fees are not included.",
    ],
  });

  await connection.close();
  return { markdown, records: toRecords(measurements) };
}

/** "solc 0.8.28, optimizer on, 10,000 runs, EVM target cancun", from a resolved compiler config. */
function describeCompiler(c: { version: string; settings?: unknown }): string {
  const settings = (c.settings ?? {}) as {
    optimizer?: { enabled?: boolean; runs?: number };
    evmVersion?: string;
    viaIR?: boolean;
  };
  const optimizer =
    settings.optimizer?.enabled === true
      ? `optimizer on, ${formatNumber(settings.optimizer.runs ?? 200)} runs`
      : "optimizer off";
  const viaIR = settings.viaIR === true ? ", via IR" : "";
  return `solc ${c.version}, ${optimizer}, EVM target ${settings.evmVersion ?? "default"}${viaIR}`;
}

/** "1 word, 1 bit", "1 full word", "40 words: 39 full, last partial". */
function describeWords(masks: readonly bigint[]): string {
  const full = masks.filter((m) => m === (1n << 256n) - 1n).length;
  if (masks.length === 1) {
    const bits = masks[0]!.toString(2).replace(/0/g, "").length;
    return full === 1 ? "1 full word" : `1 word, ${bits} bit${bits === 1 ? "" : "s"}`;
  }
  return `${masks.length} words: ${full} full${full < masks.length ? ", last partial" : ""}`;
}

/** Gas per item of a measurement, as the tables show it. */
function formatPerItem(m: { gas: bigint; batchSize: number }): string {
  return formatGas(Number(m.gas) / m.batchSize);
}

function formatNumber(n: number | bigint): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
