import {
  AbstractSigner,
  computeAddress,
  hexlify,
  resolveAddress,
  Transaction,
  type Provider,
  type TransactionLike,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import type { IKeyManager, TAgent } from "@veramo/core";
import { LerError } from "../errors.js";

/**
 * An ethers signer whose key stays in Veramo's key manager: transactions and EIP-712 messages are signed by the
 * KMS, so private keys never leave the encrypted store.
 */
export class KmsSigner extends AbstractSigner {
  readonly address: string;

  constructor(
    private readonly agent: TAgent<IKeyManager>,
    readonly kid: string,
    private readonly publicKeyHex: string,
    provider: Provider | null = null,
  ) {
    super(provider);
    this.address = computeAddress(publicKeyHex.startsWith("0x") ? publicKeyHex : `0x${publicKeyHex}`);
  }

  override async getAddress(): Promise<string> {
    return this.address;
  }

  override connect(provider: Provider | null): KmsSigner {
    return new KmsSigner(this.agent, this.kid, this.publicKeyHex, provider);
  }

  override async signTransaction(tx: TransactionRequest | Transaction): Promise<string> {
    // ethers' sendTransaction hands over a populated Transaction; other callers may pass a request.
    let unsigned: Transaction;
    if (tx instanceof Transaction) {
      unsigned = tx;
    } else {
      const to = tx.to == null ? undefined : await resolveAddress(tx.to, this.provider);
      const { from: _from, ...rest } = tx;
      void _from;
      unsigned = Transaction.from({ ...(rest as TransactionLike<string>), ...(to !== undefined && { to }) });
    }
    const from = tx.from == null ? undefined : await resolveAddress(tx.from, this.provider);
    if (from !== undefined && from.toLowerCase() !== this.address.toLowerCase()) {
      throw new LerError("wrong_signer", `The transaction is from ${from}, but this key is ${this.address}.`);
    }
    const fields: Record<string, unknown> = {
      type: unsigned.type,
      to: unsigned.to,
      data: unsigned.data,
      value: unsigned.value,
      nonce: unsigned.nonce,
      gasLimit: unsigned.gasLimit,
      chainId: unsigned.chainId,
    };
    if (unsigned.type === 2) {
      Object.assign(fields, {
        maxFeePerGas: unsigned.maxFeePerGas,
        maxPriorityFeePerGas: unsigned.maxPriorityFeePerGas,
        accessList: unsigned.accessList,
      });
    } else {
      fields.gasPrice = unsigned.gasPrice;
    }
    return this.agent.keyManagerSignEthTX({ kid: this.kid, transaction: fields });
  }

  override async signMessage(message: string | Uint8Array): Promise<string> {
    const bytes = typeof message === "string" ? new TextEncoder().encode(message) : message;
    return this.agent.keyManagerSign({
      keyRef: this.kid,
      algorithm: "eth_signMessage",
      data: hexlify(bytes),
      encoding: "hex",
    } as never);
  }

  override async signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    const data = JSON.stringify({ domain, types, message: value }, (_, v) =>
      typeof v === "bigint" ? v.toString() : v,
    );
    return this.agent.keyManagerSign({ keyRef: this.kid, algorithm: "eth_signTypedData", data });
  }
}

/** Creates a KmsSigner for a Veramo key record. */
export function kmsSigner(
  agent: TAgent<IKeyManager>,
  key: { kid: string; publicKeyHex: string },
  provider: Provider | null,
): KmsSigner {
  return new KmsSigner(agent, key.kid, key.publicKeyHex, provider);
}
