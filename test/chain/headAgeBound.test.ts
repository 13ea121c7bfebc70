import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDeployment, readDeployment, writeDeployment, type Deployment } from "../../src/chain/deployments.js";
import { HEAD_AGE_PRESETS, headAgeBound } from "../../src/chain/presets.js";
import { LerError } from "../../src/errors.js";

// The head-age bound a verifier applies: an explicit override, else the deployment record's, else the chain's preset,
// else off. Every combination of the three sources, then the record's validation.

const contract = (n: number) => ({ address: `0x${String(n).padStart(40, "0")}`, block: n });
const record = (chainId: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  network: "testnet",
  chainId,
  contracts: {
    EthereumDIDRegistry: contract(1),
    TrustRegistry: contract(2),
    StatusRegistry: contract(3),
    Multicall3: contract(4),
  },
  ...extra,
});

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(LerError);
    return (e as LerError).code;
  }
  return undefined;
};

describe("headAgeBound: override > deployment record > chain preset > off", () => {
  it("presets: on for chains that make blocks steadily, off for dev chains and chains that skip empty blocks", () => {
    expect(HEAD_AGE_PRESETS.get(1)).to.equal(180);
    expect(HEAD_AGE_PRESETS.get(11155111)).to.equal(180);
    for (const steady of [10, 8453, 137, 100]) expect(HEAD_AGE_PRESETS.get(steady), `chain ${steady}`).to.equal(120);
    for (const off of [31337, 42161, 42170, 324]) expect(HEAD_AGE_PRESETS.get(off), `chain ${off}`).to.equal(null);
    for (const [chainId, bound] of HEAD_AGE_PRESETS) {
      expect(
        bound === null || (Number.isSafeInteger(bound) && bound >= 60 && bound <= 300),
        `chain ${chainId}: ${bound}`,
      ).to.equal(true);
    }
  });

  // [chain id, the record's field (absent, null or a number), the override (absent, null or a number), expected].
  const ABSENT = Symbol("absent");
  type Source = typeof ABSENT | null | number;
  const table: [number, Source, Source, number | undefined][] = [
    // Ethereum mainnet (preset 180)
    [1, ABSENT, ABSENT, 180],
    [1, ABSENT, null, undefined],
    [1, ABSENT, 30, 30],
    [1, null, ABSENT, undefined],
    [1, null, null, undefined],
    [1, null, 30, 30],
    [1, 600, ABSENT, 600],
    [1, 600, null, undefined],
    [1, 600, 30, 30],
    // Arbitrum One (preset off)
    [42161, ABSENT, ABSENT, undefined],
    [42161, ABSENT, null, undefined],
    [42161, ABSENT, 30, 30],
    [42161, null, ABSENT, undefined],
    [42161, null, null, undefined],
    [42161, null, 30, 30],
    [42161, 600, ABSENT, 600],
    [42161, 600, null, undefined],
    [42161, 600, 30, 30],
    // Hardhat (preset off)
    [31337, ABSENT, ABSENT, undefined],
    [31337, ABSENT, null, undefined],
    [31337, ABSENT, 30, 30],
    [31337, null, ABSENT, undefined],
    [31337, null, null, undefined],
    [31337, null, 30, 30],
    [31337, 600, ABSENT, 600],
    [31337, 600, null, undefined],
    [31337, 600, 30, 30],
    // A chain no preset knows: off
    [987654321, ABSENT, ABSENT, undefined],
    [987654321, ABSENT, null, undefined],
    [987654321, ABSENT, 30, 30],
    [987654321, null, ABSENT, undefined],
    [987654321, null, null, undefined],
    [987654321, null, 30, 30],
    [987654321, 600, ABSENT, 600],
    [987654321, 600, null, undefined],
    [987654321, 600, 30, 30],
  ];
  for (const [chainId, recorded, override, expected] of table) {
    const show = (s: Source) => (s === ABSENT ? "absent" : String(s));
    it(`chain ${chainId}, record ${show(recorded)}, override ${show(override)} -> ${expected ?? "off"}`, () => {
      const deployment = parseDeployment(record(chainId, recorded === ABSENT ? {} : { maxHeadAgeSeconds: recorded }));
      expect(headAgeBound(deployment, override === ABSENT ? undefined : override)).to.equal(expected);
    });
  }

  it("refuses an override that is not a positive whole number (invalid_option)", () => {
    const deployment = parseDeployment(record(1));
    for (const bad of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(
        codeOf(() => headAgeBound(deployment, bad)),
        String(bad),
      ).to.equal("invalid_option");
    }
  });

  it("refuses a record built in code with a bad bound (deployment_invalid)", () => {
    const deployment = { ...parseDeployment(record(1)), maxHeadAgeSeconds: -1 } as Deployment;
    expect(codeOf(() => headAgeBound(deployment))).to.equal("deployment_invalid");
    // An override does not read the record's field.
    expect(headAgeBound(deployment, 60)).to.equal(60);
  });
});

describe("deployment records: maxHeadAgeSeconds", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ler-head-age-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps a positive whole number or null, and leaves the field out when absent", () => {
    expect(parseDeployment(record(1, { maxHeadAgeSeconds: 90 })).maxHeadAgeSeconds).to.equal(90);
    expect(parseDeployment(record(1, { maxHeadAgeSeconds: null })).maxHeadAgeSeconds).to.equal(null);
    expect(parseDeployment(record(1))).to.not.have.property("maxHeadAgeSeconds");
  });

  it("refuses any other value with deployment_invalid, naming the field and the file", () => {
    const file = join(dir, "bad.json");
    for (const bad of [0, -120, 1.5, "120", true, {}, []]) {
      writeFileSync(file, JSON.stringify(record(1, { maxHeadAgeSeconds: bad })));
      let error: unknown;
      try {
        readDeployment(file);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(bad)).to.be.instanceOf(LerError);
      expect((error as LerError).code).to.equal("deployment_invalid");
      expect((error as LerError).message)
        .to.include("maxHeadAgeSeconds")
        .and.include(file);
    }
  });

  it("survives a write and a read", () => {
    const file = join(dir, "good.json");
    writeDeployment(file, parseDeployment(record(8453, { maxHeadAgeSeconds: 45 })));
    const back = readDeployment(file)!;
    expect(back.maxHeadAgeSeconds).to.equal(45);
    expect(headAgeBound(back)).to.equal(45);
  });
});
