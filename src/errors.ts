/**
 * One error base for the whole project, and one vocabulary of codes. Every failure a user can meet carries a stable
 * `code` (snake_case, part of the public interface: scripts match on it) and a short message; `details` holds what
 * helps to fix it. Every code, thrown or reported by a verification check, is in {@link ERROR_CODES}: a code missing
 * there is a type error where a {@link LerError} is made, and test/errors.test.ts keeps the documentation's tables
 * (README.md, docs/errors.md, docs/http-api.md) in step with it.
 */

/**
 * What a code is about. usage: the arguments or input; refused: well-formed but not doable; state: local files;
 * internal: a bug; chain: the chain cannot be read or written; interrupted: Ctrl-C; contract: a registry contract's
 * custom error; check: a verification check's outcome; http: the HTTP service's own answers.
 */
export type ErrorKind =
  "usage" | "refused" | "state" | "internal" | "chain" | "interrupted" | "contract" | "check" | "http";

export interface ErrorCodeInfo {
  readonly kind: ErrorKind;
  /**
   * The CLI's exit code when this code ends a command, whichever class of error carries it (src/cli/program.ts
   * exitCodeFor). Check codes have none (a verification exits with its report's result: 0 valid, 1 invalid, 2
   * unknown), nor have the service's own answers.
   */
  readonly exit?: 1 | 2 | 64 | 130;
  readonly summary: string;
}

/** Every code of the project. Contract errors are the registries' custom errors without the contract's prefix, in
 * snake case (`TrustRegistryScopeNotSubset` -> `scope_not_subset`; OpenZeppelin's `AccessControlUnauthorizedAccount`
 * -> `unauthorized`). */
export const ERROR_CODES = {
  // Arguments and input: the CLI exits 64, the service answers 400.
  usage: { kind: "usage", exit: 64, summary: "Unknown command or option, or a missing argument." },
  invalid_argument: { kind: "usage", exit: 64, summary: "A flag's or an argument's value is malformed." },
  missing_argument: { kind: "usage", exit: 64, summary: "Something the command needs was not given." },
  ambiguous_id: { kind: "usage", exit: 64, summary: "A shortened credential id matches several credentials." },
  file_not_found: { kind: "usage", exit: 64, summary: "An input file cannot be read." },
  invalid_json: { kind: "usage", exit: 64, summary: "An input (file, body) is not the JSON expected." },
  invalid_csv: { kind: "usage", exit: 64, summary: "An input CSV file is malformed." },
  empty_input: { kind: "usage", exit: 64, summary: "An input file holds nothing to work on." },
  missing_field: { kind: "usage", exit: 64, summary: "A required field of a request or credential is missing." },
  invalid_field: { kind: "usage", exit: 64, summary: "A field of a request or credential is malformed." },
  invalid_request: { kind: "usage", exit: 64, summary: "An issuance request is not an object." },
  missing_secret: { kind: "usage", exit: 64, summary: "No key-store secret, and no terminal to ask on." },
  secret_mismatch: { kind: "usage", exit: 64, summary: "The secret typed twice differs." },
  missing_private_key: { kind: "usage", exit: 64, summary: "No private key given (environment or stdin)." },
  invalid_private_key: { kind: "usage", exit: 64, summary: "Not a valid secp256k1 private key." },
  invalid_rpc_url: { kind: "usage", exit: 64, summary: "The RPC URL is not an http(s) URL." },
  invalid_network_name: {
    kind: "usage",
    exit: 64,
    summary: "A network name has characters other than letters, digits, '.', '_' and '-'.",
  },
  invalid_address: { kind: "usage", exit: 64, summary: "Not an Ethereum address (or a bad EIP-55 checksum)." },
  invalid_did: {
    kind: "usage",
    exit: 64,
    summary: "Not a did:ethr with an address, or its public key is not on the curve.",
  },
  invalid_consent: { kind: "usage", exit: 64, summary: "A consent is not a hex signature." },
  missing_deadline: { kind: "usage", exit: 64, summary: "A consent signature was given without its deadline." },
  consent_mismatch: { kind: "usage", exit: 64, summary: "The consent covers other terms than those sent." },
  nothing_to_change: { kind: "usage", exit: 64, summary: "An update changes nothing." },
  not_a_credential: { kind: "usage", exit: 64, summary: "An input is not a credential JWT." },
  not_issuer: { kind: "usage", exit: 64, summary: "A credential's status entry belongs to another issuer." },
  invalid_status_entry: { kind: "usage", exit: 64, summary: "A credential's status entry is malformed." },
  unknown_subject: {
    kind: "usage",
    exit: 64,
    summary: "A subject is neither a DID, an address, nor an identity of the key store.",
  },
  invalid_role: { kind: "usage", exit: 64, summary: "A role is not issuer, accreditor or both." },
  invalid_option: { kind: "usage", exit: 64, summary: "An option's value is out of range." },
  invalid_config: { kind: "usage", exit: 64, summary: "An environment setting is malformed." },
  invalid_identifier: { kind: "usage", exit: 64, summary: "An identifier is neither a did:ethr nor an address." },
  invalid_job_profile: { kind: "usage", exit: 64, summary: "A job profile is malformed." },
  too_many_credentials: { kind: "usage", exit: 64, summary: "More credentials than are read at once." },
  invalid_credential: {
    kind: "usage",
    exit: 64,
    summary: "A credential is neither a JWT nor a W3C credential object.",
  },
  invalid_store_url: {
    kind: "usage",
    exit: 64,
    summary: "The store URL (--store, LER_STORE_URL) is neither empty nor a postgres:// URL.",
  },

  // Well-formed, but what is asked cannot be done (exit 1).
  wrong_secret: { kind: "refused", exit: 1, summary: "The secret does not open the key store." },
  unknown_identity: { kind: "refused", exit: 1, summary: "No such identity in the key store." },
  alias_taken: { kind: "refused", exit: 1, summary: "An identity with that alias exists already." },
  unknown_credential: {
    kind: "refused",
    exit: 1,
    summary: "A credential is not in the issuer's ledger or the wallet.",
  },
  no_status_entry: {
    kind: "refused",
    exit: 1,
    summary: "The credential has no status entry to revoke or suspend (also a skipped status check).",
  },
  not_owner: {
    kind: "refused",
    exit: 1,
    summary: "The key store's key for an identity is no longer its ERC-1056 owner.",
  },
  insufficient_funds: { kind: "refused", exit: 1, summary: "The sending key has no funds for gas." },
  unknown_type_name: { kind: "refused", exit: 1, summary: "A credential type is not registered." },
  empty_scope: { kind: "refused", exit: 1, summary: "An accreditation names no credential type." },
  no_deployment: { kind: "refused", exit: 1, summary: "No deployment record for the network." },
  deployment_invalid: { kind: "refused", exit: 1, summary: "The deployment record is malformed." },
  deployment_unreadable: { kind: "refused", exit: 1, summary: "The deployment record cannot be read." },
  outdated_contract: {
    kind: "refused",
    exit: 1,
    summary: "A registry of the deployment record is another version than this release's.",
  },
  no_contract: { kind: "refused", exit: 1, summary: "No contract at a recorded address." },
  deploy_failed: { kind: "refused", exit: 1, summary: "A deployment transaction was dropped." },
  artifacts_missing: { kind: "refused", exit: 1, summary: "A compiled contract is missing (run npm run build)." },
  node_too_old: {
    kind: "refused",
    exit: 1,
    summary: "`ler node` runs Hardhat, which needs Node.js 22.13 or newer, and none was found.",
  },
  hardhat_missing: {
    kind: "refused",
    exit: 1,
    summary: "`ler node` needs the optional peer dependency hardhat, which is not installed.",
  },
  port_in_use: { kind: "refused", exit: 1, summary: "The port is taken." },
  cannot_listen: { kind: "refused", exit: 1, summary: "The server cannot listen on the host and port." },
  consent_required: {
    kind: "refused",
    exit: 1,
    summary: "Accrediting an identity of another key store needs its owner's consent.",
  },
  not_accredited: { kind: "refused", exit: 1, summary: "The identity has no accreditation to update." },
  no_signer: { kind: "refused", exit: 1, summary: "The key store holds no key for the identity." },
  no_controller_key: { kind: "refused", exit: 1, summary: "No controller key for the DID." },
  no_did_store: { kind: "refused", exit: 1, summary: "The agent has no DID store for the plugin." },
  no_provider: { kind: "refused", exit: 1, summary: "The deployer signer has no provider." },
  wrong_signer: { kind: "refused", exit: 1, summary: "A transaction is from another address than the key." },
  rotation_incomplete: {
    kind: "refused",
    exit: 1,
    summary: "The owner moved, but signing grants of the old key are still live.",
  },
  resolution_failed: { kind: "refused", exit: 1, summary: "A DID cannot be resolved." },
  iss_mismatch: {
    kind: "refused",
    exit: 1,
    summary: "The credential's issuer and the JWT's iss differ (also a failed issuer check).",
  },
  anchor_leaf_mismatch: { kind: "refused", exit: 1, summary: "A signed credential does not match its anchor leaf." },
  missing_achievement: { kind: "refused", exit: 1, summary: "A credential request names no achievement." },
  invalid_key: { kind: "refused", exit: 1, summary: "A key is not a secp256k1 public key." },
  invalid_count: { kind: "refused", exit: 1, summary: "An index reservation count is out of range." },
  invalid_list_size: { kind: "refused", exit: 1, summary: "A status list size is out of range." },
  lists_exhausted: { kind: "refused", exit: 1, summary: "The issuer has used every status list." },
  unknown_intent: { kind: "refused", exit: 1, summary: "No such intent was recorded." },
  intent_conflict: {
    kind: "refused",
    exit: 1,
    summary: "An intent was recorded with other content, or is done with another transaction.",
  },
  intent_done: { kind: "refused", exit: 1, summary: "An intent is already done." },
  invalid_intent: { kind: "refused", exit: 1, summary: "An intent's receipt is malformed." },
  reverted: { kind: "refused", exit: 1, summary: "A transaction reverted without a decodable error." },
  empty_batch: {
    kind: "refused",
    exit: 1,
    summary: "A batch has no entries (also the StatusRegistry's EmptyBatch error).",
  },
  index_out_of_range: {
    kind: "refused",
    exit: 1,
    summary: "An index is outside the list or tree (also the StatusRegistry's IndexOutOfRange error).",
  },
  invalid_hash: { kind: "refused", exit: 1, summary: "A value is not a bytes32 hash." },
  not_canonicalizable: { kind: "refused", exit: 1, summary: "A value has no JSON canonical form (RFC 8785)." },
  context_not_bundled: { kind: "refused", exit: 1, summary: "A JSON-LD context is not bundled; nothing is fetched." },
  context_conflict: { kind: "refused", exit: 1, summary: "A JSON-LD context is bundled twice." },
  invalid_context: { kind: "refused", exit: 1, summary: "A document given as a JSON-LD context is not one." },
  pool_closed: { kind: "refused", exit: 1, summary: "The verifier pool is closed." },
  invalid_token: { kind: "refused", exit: 1, summary: "An API token is malformed, unknown, or its secret is wrong." },
  token_expired: { kind: "refused", exit: 1, summary: "An API token has expired." },
  token_revoked: { kind: "refused", exit: 1, summary: "An API token was revoked." },
  token_exists: { kind: "refused", exit: 1, summary: "An API token with that id exists already." },
  unknown_token: { kind: "refused", exit: 1, summary: "No API token has that id." },

  // The local state (key store, ledger, intents, locks) cannot be used (exit 1).
  corrupt_keystore: { kind: "state", exit: 1, summary: "The key store is corrupt." },
  unsupported_keystore: { kind: "state", exit: 1, summary: "The key store has an unsupported version." },
  keystore_replaced: {
    kind: "state",
    exit: 1,
    summary: "The key store was replaced by one with another secret while open.",
  },
  corrupt_log: { kind: "state", exit: 1, summary: "A line of a log (ledger, intents) is not valid." },
  wrong_store_key: {
    kind: "state",
    exit: 1,
    summary: "An encrypted file of the home was written under another key store's secret.",
  },
  store_locked: {
    kind: "state",
    exit: 1,
    summary: "An encrypted store (wallet, ledger, intents) was used without the key store's secret.",
  },
  corrupt_state: { kind: "state", exit: 1, summary: "The status-index allocator's state is corrupt." },
  corrupt_wallet: { kind: "state", exit: 1, summary: "A line of the wallet is not a wallet entry." },
  corrupt_intent: { kind: "state", exit: 1, summary: "A recorded intent is malformed." },
  invalid_record: { kind: "state", exit: 1, summary: "An issued record is malformed." },
  read_failed: { kind: "state", exit: 1, summary: "A state file cannot be read." },
  write_failed: { kind: "state", exit: 1, summary: "A state file cannot be written." },
  lock_failed: { kind: "state", exit: 1, summary: "A lock file cannot be created or read." },
  lock_lost: { kind: "state", exit: 1, summary: "A lock was taken from this process while it held it." },
  lock_timeout: { kind: "state", exit: 1, summary: "Timed out waiting for a lock." },
  store_unreachable: {
    kind: "state",
    exit: 1,
    summary: "The issuer store's database cannot be reached or refused the login.",
  },
  store_too_new: {
    kind: "state",
    exit: 1,
    summary: "The issuer store's database was migrated by a newer release than this one.",
  },
  store_failed: { kind: "state", exit: 1, summary: "The issuer store's database failed a statement." },
  duplicate_index: {
    kind: "state",
    exit: 1,
    summary: "A status index is on record for another credential already (the ledger's guard against reuse).",
  },
  state_in_use: { kind: "state", exit: 1, summary: "Another `ler node` is running on the dev chain's state file." },
  state_corrupt: {
    kind: "state",
    exit: 1,
    summary: "The dev chain's state file is malformed (more than a torn last record).",
  },
  state_wrong_chain: {
    kind: "state",
    exit: 1,
    summary: "The dev chain's state file is of another chain (chain id or genesis block).",
  },
  state_diverged: {
    kind: "state",
    exit: 1,
    summary: "Replaying the dev chain's state file gave other blocks than it recorded.",
  },

  // A bug or a broken invariant (exit 1).
  verification_mismatch: {
    kind: "internal",
    exit: 1,
    summary: "The verifier returned another number of reports than credentials.",
  },
  worker_failed: {
    kind: "internal",
    exit: 1,
    summary: "A verification thread stopped; its part of the batch was not verified.",
  },
  internal_error: { kind: "internal", exit: 1, summary: "A bug; it is logged." },

  // The chain cannot be read or written: the CLI exits 2, checks that need the chain are unknown, the service answers 503.
  chain_unreachable: { kind: "chain", exit: 2, summary: "The chain cannot be reached." },
  chain_timeout: { kind: "chain", exit: 2, summary: "The node timed out." },
  chain_error: { kind: "chain", exit: 2, summary: "The node answered with an error." },
  chain_inconsistent: { kind: "chain", exit: 2, summary: "The node's answers contradict each other." },
  chain_lagging: { kind: "chain", exit: 2, summary: "The node's latest block is older than the head-age bound." },
  wrong_chain: { kind: "chain", exit: 2, summary: "The endpoint serves another chain than the deployment record's." },
  deployment_not_on_chain: {
    kind: "chain",
    exit: 2,
    summary:
      "The chain does not have the contracts the deployment record or the home names (a dev chain restarted without its state).",
  },
  tx_dropped: { kind: "chain", exit: 2, summary: "A transaction was dropped." },

  // Ctrl-C at a prompt.
  interrupted: { kind: "interrupted", exit: 130, summary: "Ctrl-C at a prompt." },

  // A registry contract refused the call: its custom error in snake case, without the contract prefix (exit 1).
  unauthorized: {
    kind: "contract",
    exit: 1,
    summary:
      "The caller may not do this (TrustRegistryUnauthorized, IdentityAuthUnauthorized, AccessControlUnauthorizedAccount).",
  },
  bad_confirmation: { kind: "contract", exit: 1, summary: "AccessControlBadConfirmation." },
  address_empty_code: { kind: "contract", exit: 1, summary: "AddressEmptyCode: a call to an address without code." },
  failed_call: { kind: "contract", exit: 1, summary: "FailedCall: a low-level call failed." },
  expired_signature: {
    kind: "contract",
    exit: 1,
    summary: "IdentityAuthExpiredSignature: a signed call's deadline passed.",
  },
  invalid_signature: {
    kind: "contract",
    exit: 1,
    summary: "IdentityAuthInvalidSignature (also a failed signature check).",
  },
  nested_signed_call: { kind: "contract", exit: 1, summary: "IdentityAuthNestedSignedCall." },
  zero_identity: { kind: "contract", exit: 1, summary: "IdentityAuthZeroIdentity." },
  invalid_account_nonce: { kind: "contract", exit: 1, summary: "InvalidAccountNonce: a signed call's nonce was used." },
  invalid_short_string: { kind: "contract", exit: 1, summary: "InvalidShortString." },
  string_too_long: { kind: "contract", exit: 1, summary: "StringTooLong." },
  already_anchored: {
    kind: "contract",
    exit: 1,
    summary: "StatusRegistryAlreadyAnchored: the root is anchored already.",
  },
  length_mismatch: { kind: "contract", exit: 1, summary: "StatusRegistryLengthMismatch." },
  list_out_of_range: { kind: "contract", exit: 1, summary: "StatusRegistryListOutOfRange." },
  word_out_of_range: { kind: "contract", exit: 1, summary: "StatusRegistryWordOutOfRange." },
  zero_hash: { kind: "contract", exit: 1, summary: "StatusRegistryZeroHash." },
  already_accredited: { kind: "contract", exit: 1, summary: "TrustRegistryAlreadyAccredited." },
  consent_expired: { kind: "contract", exit: 1, summary: "TrustRegistryConsentExpired." },
  cycle: { kind: "contract", exit: 1, summary: "TrustRegistryCycle: the accreditation would make a cycle." },
  depth_exceeded: { kind: "contract", exit: 1, summary: "TrustRegistryDepthExceeded (also a failed trust check)." },
  invalid_effective_time: { kind: "contract", exit: 1, summary: "TrustRegistryInvalidEffectiveTime." },
  invalid_status: { kind: "contract", exit: 1, summary: "TrustRegistryInvalidStatus." },
  invalid_validity: { kind: "contract", exit: 1, summary: "TrustRegistryInvalidValidity." },
  no_consent: { kind: "contract", exit: 1, summary: "TrustRegistryNoConsent." },
  not_accreditor: { kind: "contract", exit: 1, summary: "TrustRegistryNotAccreditor." },
  scope_not_subset: {
    kind: "contract",
    exit: 1,
    summary: "TrustRegistryScopeNotSubset: a scope wider than the accreditor's.",
  },
  too_many_types: { kind: "contract", exit: 1, summary: "TrustRegistryTooManyTypes." },
  type_exists: { kind: "contract", exit: 1, summary: "TrustRegistryTypeExists." },
  unknown_type: { kind: "contract", exit: 1, summary: "TrustRegistryUnknownType." },
  empty_type_name: { kind: "contract", exit: 1, summary: "TrustRegistryEmptyTypeName." },
  zero_address: { kind: "contract", exit: 1, summary: "TrustRegistryZeroAddress." },

  // Codes of verification checks (`Check.code`): the report's result gives the exit code (1 invalid, 2 unknown).
  well_formed: { kind: "check", summary: "format: a well-formed JWT." },
  malformed_jwt: { kind: "check", summary: "format: not a JWT." },
  malformed_signature: {
    kind: "check",
    summary: "format: the signature is not of the algorithm's size or not canonical base64url.",
  },
  unsupported_alg: { kind: "check", summary: "format: the JWT algorithm is not accepted." },
  unsupported_crit: { kind: "check", summary: "format: the JOSE header marks an extension critical." },
  invalid_encoding: { kind: "check", summary: "format: a JWT part is not valid UTF-8." },
  token_too_large: { kind: "check", summary: "format: the token is larger than accepted." },
  invalid_payload: { kind: "check", summary: "format: the JWT payload is not a credential." },
  invalid_presentation: { kind: "check", summary: "format: the presentation is malformed." },
  invalid_jwk: { kind: "check", summary: "format: the JOSE header's jwk is not a secp256k1 point." },
  required_fields: { kind: "check", summary: "schema: every required field is present." },
  subject_mismatch: { kind: "check", summary: "schema: sub is not credentialSubject.id." },
  claim_mismatch: { kind: "check", summary: "schema: a JWT claim does not mirror the credential's member." },
  too_many_embedded: { kind: "check", summary: "embedded: more embedded credentials than are verified." },
  nested_record: { kind: "check", summary: "embedded: a record inside a record." },
  embedded_valid: { kind: "check", summary: "embedded: every embedded credential is valid and the subject's." },
  embedded_invalid: { kind: "check", summary: "embedded: an embedded credential is invalid." },
  embedded_unknown: { kind: "check", summary: "embedded: an embedded credential could not be verified." },
  embedded_subject_mismatch: { kind: "check", summary: "embedded: an embedded credential is about someone else." },
  issuer_did: { kind: "check", summary: "issuer: the issuer's DID." },
  missing_issuer: { kind: "check", summary: "issuer: the JWT has no iss." },
  unsupported_did: { kind: "check", summary: "issuer: not a did:ethr identifier." },
  wrong_network: {
    kind: "check",
    summary: "issuer: the DID is not on this chain (HTTP: an identifier of another network).",
  },
  invalid_issuer: { kind: "check", summary: "issuer: a public-key DID whose key is not on the curve." },
  anchored: { kind: "check", summary: "anchor: the issuance root is anchored." },
  not_anchored: { kind: "check", summary: "anchor (skipped): no issuance anchor." },
  anchor_not_found: { kind: "check", summary: "anchor (skipped): the anchor root is not on chain." },
  anchor_proof_mismatch: { kind: "check", summary: "anchor: the proof does not lead to the root." },
  anchor_wrong_chain: { kind: "check", summary: "anchor: the anchor is on another chain." },
  anchor_unknown_registry: { kind: "check", summary: "anchor: the anchor names another registry." },
  invalid_anchor: { kind: "check", summary: "anchor: the anchor is malformed." },
  signature_valid: { kind: "check", summary: "signature: signed by a key of the issuer (or holder)." },
  unknown_kid: { kind: "check", summary: "signature: the kid names no verification method of the issuer." },
  issuer_deactivated: { kind: "check", summary: "signature: the issuer's DID was deactivated." },
  trusted: { kind: "check", summary: "trust: accredited for the type at the trusted time." },
  untrusted: { kind: "check", summary: "trust: not trusted (an unknown verdict)." },
  issuer_not_accredited: { kind: "check", summary: "trust: the issuer is not accredited." },
  issuer_not_issuer: { kind: "check", summary: "trust: the issuer's accreditation lacks the issuer role." },
  issuer_suspended: { kind: "check", summary: "trust: the issuer is suspended." },
  issuer_revoked: { kind: "check", summary: "trust: the issuer is revoked." },
  accreditor_not_accreditor: { kind: "check", summary: "trust: a link of the chain lacks the accreditor role." },
  accreditor_suspended: { kind: "check", summary: "trust: an accreditor of the chain is suspended." },
  accreditor_revoked: { kind: "check", summary: "trust: an accreditor of the chain is revoked." },
  accreditation_not_yet_valid: {
    kind: "check",
    summary: "trust: an accreditation is not valid yet at the trusted time.",
  },
  accreditation_expired: { kind: "check", summary: "trust: an accreditation had expired at the trusted time." },
  type_out_of_scope: { kind: "check", summary: "trust: the type is outside a link's scope." },
  unknown_credential_type: { kind: "check", summary: "trust: the type is not a credential type of the registry." },
  no_credential_type: { kind: "check", summary: "trust: the credential names no type." },
  untrusted_root: { kind: "check", summary: "trust: the chain ends at a root this verifier does not trust." },
  not_revoked: { kind: "check", summary: "status: neither revoked nor suspended." },
  credential_revoked: { kind: "check", summary: "status: revoked by its issuer." },
  credential_suspended: { kind: "check", summary: "status: suspended by its issuer." },
  status_wrong_chain: { kind: "check", summary: "status: the entry is on another chain." },
  status_unknown_registry: { kind: "check", summary: "status: the entry names another registry." },
  status_issuer_mismatch: { kind: "check", summary: "status: the entry belongs to another issuer." },
  unsupported_status_type: { kind: "check", summary: "status (unknown): a status type not read here." },
  unsupported_status_purpose: { kind: "check", summary: "status (unknown): a status purpose not read here." },
  unsupported_status_size: { kind: "check", summary: "status (unknown): a status size other than one bit." },
  status_list_unreachable: { kind: "check", summary: "status (unknown): the status list was not fetched." },
  status_list_timeout: { kind: "check", summary: "status (unknown): the status list did not arrive in time." },
  status_list_too_large: { kind: "check", summary: "status (unknown): the status list is too large." },
  status_list_malformed: { kind: "check", summary: "status (unknown): the status list is malformed." },
  status_list_invalid_signature: {
    kind: "check",
    summary: "status (unknown): the status list is not signed by the issuer.",
  },
  status_list_wrong_issuer: { kind: "check", summary: "status (unknown): the status list is another issuer's." },
  status_list_expired: { kind: "check", summary: "status (unknown): the status list is not valid now." },
  status_list_agrees: { kind: "check", summary: "status: the published list agrees with the chain." },
  status_list_disagrees: {
    kind: "check",
    summary: "status (skipped): the published list disagrees with the chain; the chain decides.",
  },
  status_list_unavailable: {
    kind: "check",
    summary: "status (skipped): the published list could not be used; the chain decides.",
  },
  within_validity: { kind: "check", summary: "validity: within its validity period." },
  not_yet_valid: { kind: "check", summary: "validity: not valid yet." },
  expired: { kind: "check", summary: "validity: expired." },
  issued_in_future: {
    kind: "check",
    summary: "validity: issued later than the verifier's time, beyond the clock-skew allowance.",
  },
  challenge_matched: { kind: "check", summary: "presentation: made for this verifier's challenge and domain." },
  no_challenge_requested: { kind: "check", summary: "presentation: no challenge was required." },
  challenge_mismatch: { kind: "check", summary: "presentation: made for another challenge." },
  domain_mismatch: { kind: "check", summary: "presentation: addressed to another domain." },
  presentation_expired: { kind: "check", summary: "presentation: expired." },
  no_credentials: { kind: "check", summary: "presentation: carries no credentials." },
  missing_holder: { kind: "check", summary: "presentation: no iss (holder)." },
  holder_is_subject: { kind: "check", summary: "holder_binding: the holder is the subject of every credential." },
  subject_not_holder: { kind: "check", summary: "holder_binding: a credential is about someone else." },
  holder_mismatch: { kind: "check", summary: "holder_binding: vp.holder is not the signer." },
  intent_network_unknown: { kind: "check", summary: "resume: an intent names a network with no deployment record." },

  // The HTTP service's own answers (docs/http-api.md).
  empty_body: { kind: "http", summary: "The request body is empty." },
  invalid_body: { kind: "http", summary: "The request body is not an object." },
  unknown_member: { kind: "http", summary: "The body has a member this endpoint does not take." },
  missing_parameter: { kind: "http", summary: "A required parameter is missing." },
  invalid_parameter: { kind: "http", summary: "A parameter is malformed." },
  invalid_query: { kind: "http", summary: "A query string is malformed." },
  invalid_time: { kind: "http", summary: "A time is not RFC 3339 in UTC." },
  invalid_content_length: { kind: "http", summary: "Content-Length does not match the body." },
  bad_request: { kind: "http", summary: "The request cannot be parsed." },
  not_found: { kind: "http", summary: "No such endpoint." },
  unknown_entity: { kind: "http", summary: "No accreditation for that identity." },
  unknown_authority: { kind: "http", summary: "TRQP: not an authority of this ecosystem." },
  unknown_action: { kind: "http", summary: "TRQP: an action other than issue or accredit." },
  unknown_resource: { kind: "http", summary: "TRQP: not a registered credential type." },
  authority_not_in_chain: { kind: "http", summary: "TRQP: the authority is not in the entity's chain." },
  body_too_large: { kind: "http", summary: "The body is over the limit." },
  unsupported_media_type: { kind: "http", summary: "The body is not JSON." },
  status_list_not_published: { kind: "http", summary: "No such status list is published here." },
  service_unreachable: { kind: "http", summary: "Another service could not be reached." },
  bad_response: { kind: "http", summary: "Another service answered with something unreadable." },

  // The issuer service's answers (docs/issuer-service.md).
  missing_token: { kind: "http", summary: "Issuer API: no bearer token was sent." },
  insufficient_scope: { kind: "http", summary: "Issuer API: the token may not do this (issue, status or read)." },
  rate_limited: { kind: "http", summary: "Issuer API: the token is over its requests per minute." },
  wrong_issuer: { kind: "http", summary: "Issuer API: the credential names another issuer than the token's." },
  unsupported_credential_type: { kind: "http", summary: "Issuer API: not an Open Badges 3.0 credential." },
  unknown_batch: { kind: "http", summary: "Issuer API: the token's issuer has no such batch." },
  service_stopping: { kind: "http", summary: "The service is stopping; the request was not carried out." },
  anchor_timeout: { kind: "http", summary: "An anchor was not confirmed in the time allowed (it stays pending)." },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `code` is a code of the registry (for codes built at run time, e.g. from a contract's revert). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** The registry's entry for `code`. */
export function errorCodeInfo(code: ErrorCode): ErrorCodeInfo {
  return ERROR_CODES[code];
}

export class LerError extends Error {
  override readonly name: string = "LerError";
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/**
 * The chain could not be read or written: node down, timeout, wrong chain, inconsistent answers. Verifications
 * report it as `unknown`; the CLI's exit code comes from the code, as for every error.
 */
export class ChainError extends LerError {
  override readonly name = "ChainError";
}

/** Arguments or input files are malformed. The CLI's exit code comes from the code (ERROR_CODES), not this class. */
export class UsageError extends LerError {
  override readonly name = "UsageError";
}

export function isLerError(e: unknown): e is LerError {
  return e instanceof LerError;
}
