/**
 * The library's public API (`import … from "ler-registry"`): verification, issuance through the Veramo agent and its
 * LER plugin, chain connections, credential building blocks and the error codes. Everything else in the package is
 * internal and may change between releases; the contracts' ABIs and deployment records are `ler-registry/contracts`.
 */

// ---- Verification ----------------------------------------------------------------------------------------------------
export { createVerifier, type Verifier, type VerifierOptions } from "./agent/verifier.js";
export {
  createVerifierMemory,
  decodeJwt,
  isDecodedJwt,
  verify,
  verifyBatch,
  verifyPresentation,
  VerifierMemory,
  VerifierPool,
  type DecodedJwt,
  type VerifierContext,
  type VerifierMemoryLimits,
  type VerifierScope,
  type VerifyBatchOptions,
  type VerifyOptions,
  type VerifyPresentationOptions,
} from "./verify/index.js";
export type {
  Check,
  CheckId,
  CheckOutcome,
  CredentialReport,
  CredentialSummary,
  PresentationReport,
  TrustChainEntry,
  VerificationResult,
} from "./verify/report.js";

// ---- Issuance and the Veramo plugin ----------------------------------------------------------------------------------
export { createLerAgent, ethrResolver, openHome, type CreateLerAgentOptions, type LerAgent } from "./agent/agent.js";
export type { KeyStoreHandle } from "./store/keystore.js";
export type { StoreKeys } from "./store/sealed.js";
export { openIssuerStore, type IssuerStore, type OpenIssuerStoreOptions } from "./agent/store.js";
export { LerPlugin, type LerPluginOptions } from "./agent/plugin.js";
export type * from "./agent/types.js";

// ---- Chains and deployments ------------------------------------------------------------------------------------------
export { connectNetwork, embeddedNetwork, type LerNetwork } from "./chain/network.js";
export { deploymentPath, readDeployment, type Deployment } from "./chain/deployments.js";
export { headAgeBound } from "./chain/presets.js";

// ---- Credentials -----------------------------------------------------------------------------------------------------
export {
  canonicalize,
  credentialHash,
  credentialIdHash,
  revocationHashesOf,
  type RevocationHashes,
} from "./credentials/index.js";

// ---- Errors ----------------------------------------------------------------------------------------------------------
export {
  ChainError,
  ERROR_CODES,
  errorCodeInfo,
  isErrorCode,
  isLerError,
  LerError,
  UsageError,
  type ErrorCode,
  type ErrorCodeInfo,
} from "./errors.js";
