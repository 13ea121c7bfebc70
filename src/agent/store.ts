// The issuer store and API tokens, as the faces (CLI, HTTP service) reach them: through the agent layer, never
// src/store/ directly (.dependency-cruiser.cjs). Opening a PostgreSQL store loads its driver; importing this does not.
export { openIssuerStore, type OpenIssuerStoreOptions } from "../store/open.js";
export { checkToken, newToken, parseScopes, parseToken } from "../store/tokens.js";
export { TOKEN_SCOPES, type AuditEntry, type IssuerStore, type TokenRecord, type TokenScope } from "../store/types.js";
export type {
  AnchorCoordinator,
  AnchorScope,
  AnchorSender,
  BatchStatus,
  CoalescingOptions,
  Placement,
} from "../store/anchoring.js";
