// The agent's local, crash-safe state: durable file primitives, the encrypted key store, the sealing of data at rest,
// status-index allocation, the issued-credentials ledger and the intent log of on-chain batch writes; the issuer store
// that holds them (a home's files, or PostgreSQL: loaded only by openIssuerStore, never by importing this module).
export {
  appendDurable,
  ensureDir,
  removeAbandonedTemps,
  withFileLock,
  writeFileAtomic,
  type FileLockOptions,
  type WriteFileAtomicOptions,
} from "./files.js";
export {
  KDF_DEFAULTS,
  openKeyStore,
  SealedPrivateKeyStore,
  type KdfParams,
  type KeyStoreFile,
  type KeyStoreHandle,
  type LegacyKeyStoreFile,
  type OpenKeyStoreOptions,
} from "./keystore.js";
export {
  isSealedRecord,
  PAD_TO,
  RecordSealer,
  StoreKeys,
  type RecordOrigin,
  type SealedRecord,
  type StoreName,
} from "./sealed.js";
export { SealedJsonLines } from "./jsonl.js";
export {
  allocate,
  MAX_LIST,
  MAX_LIST_SIZE,
  MAX_RESERVE_COUNT,
  StatusIndexAllocator,
  type Allocation,
  type AllocatorState,
  type ReserveOptions,
} from "./allocator.js";
export { IssuedLedger, type IssuedRecord, type LedgerOptions, type ReadIssuedResult } from "./ledger.js";
export { PendingWrites, type Intent, type IntentKind, type IntentReceipt, type PendingOptions } from "./pending.js";
export {
  TOKEN_SCOPES,
  type AuditEntry,
  type AuditLog,
  type IndexAllocator,
  type IntentLog,
  type IssuedLedgerStore,
  type IssuerStore,
  type RateCounter,
  type TokenRecord,
  type TokenScope,
  type TokenStore,
} from "./types.js";
export { FilesIssuerStore } from "./filesStore.js";
export { openIssuerStore, type OpenIssuerStoreOptions } from "./open.js";
export { checkToken, newToken, parseScopes, parseToken, secretHash } from "./tokens.js";
