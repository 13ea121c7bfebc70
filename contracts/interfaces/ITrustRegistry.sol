// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title LER trust registry: who is accredited, by whom, to issue which kinds of credential, and when.
/// @notice Governance registers credential types and root authorities. An accreditor accredits a subject (an
/// accreditor, an issuer, or both) for a scope of types that must lie within its own, for a validity window.
/// Accreditations are suspended and reinstated, revoked (terminal, with an effective time that may lie in the
/// past) and expire. `trustedAt` answers whether a subject was trusted to issue a type at a time by walking up to
/// a root; suspension of any link distrusts the whole subtree below it for as long as it lasts, writing nothing
/// there. Each subject has at most one accreditation, so the graph is a forest of bounded depth.
interface ITrustRegistry {
    /// @notice The state of an accreditation. Expiry is not a state: it follows from `validUntil`.
    enum Status {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @notice Why `trustedAt` answered as it did.
    enum Verdict {
        Trusted,
        NotAccredited, // the subject has no accreditation
        NotIssuer, // the subject is accredited, but not to issue
        NotAccreditor, // a link above the subject may no longer accredit
        Suspended, // a link (the subject or one above it) is suspended now
        Revoked, // a link was revoked at or before the time asked about
        NotYetValid, // the time asked about is before a link's validFrom
        Expired, // the time asked about is at or after a link's validUntil
        OutOfScope, // a link's scope lacks the type
        DepthExceeded // no root within MAX_DEPTH links
    }

    /// @notice One accreditation edge `parent -> subject`. A root's parent is the zero address.
    /// @dev Packed into two storage slots.
    struct Accreditation {
        address parent;
        uint40 validFrom;
        uint40 validUntil;
        uint8 role;
        Status status;
        uint8 reason;
        uint8 depth;
        uint240 scope;
    }

    /// @notice One link of a trust chain, as returned by `chainOf`.
    struct Link {
        address subject;
        Accreditation accreditation;
    }

    /// @notice The zero address was given for a subject.
    error TrustRegistryZeroAddress();
    /// @notice `subject` already holds an accreditation (from `parent`).
    error TrustRegistryAlreadyAccredited(address subject, address parent);
    /// @notice Accrediting `subject` under `parent` would close a cycle: `subject` is `parent` or above it.
    error TrustRegistryCycle(address parent, address subject);
    /// @notice `subject` has no accreditation.
    error TrustRegistryNotAccredited(address subject);
    /// @notice `accreditor` may not accredit: it has no active accreditation with the accreditor role.
    error TrustRegistryNotAccreditor(address accreditor);
    /// @notice The accreditation of `subject` is in `status`, which does not allow the change.
    error TrustRegistryInvalidStatus(address subject, Status status);
    /// @notice The scope is empty.
    error TrustRegistryEmptyScope();
    /// @notice `scope` is not a subset of the parent's scope `parentScope`.
    error TrustRegistryScopeNotSubset(address subject, uint256 scope, uint256 parentScope);
    /// @notice `scope` names type ids that are not registered (`typeCount` are).
    error TrustRegistryUnknownType(uint256 scope, uint256 typeCount);
    /// @notice The role is not Issuer, Accreditor or both.
    error TrustRegistryInvalidRole(uint8 role);
    /// @notice `validUntil` is not after `validFrom`.
    error TrustRegistryInvalidValidity(uint40 validFrom, uint40 validUntil);
    /// @notice A revocation's effective time lies in the future.
    error TrustRegistryEffectiveTimeInFuture(uint40 effectiveAt, uint256 now_);
    /// @notice The new link would be deeper than `maxDepth`.
    error TrustRegistryDepthExceeded(uint256 depth, uint256 maxDepth);
    /// @notice A credential type with this name is already registered as `typeId`.
    error TrustRegistryTypeExists(string name, uint8 typeId);
    /// @notice The type name is empty.
    error TrustRegistryEmptyTypeName();
    /// @notice No credential type is called `name`.
    error TrustRegistryUnknownTypeName(string name);
    /// @notice Every one of the `maxTypes` type ids is taken.
    error TrustRegistryTooManyTypes(uint256 maxTypes);

    /// @notice Governance registered credential type `name` as `typeId`.
    event CredentialTypeRegistered(uint8 indexed typeId, string name);
    /// @notice `parent` (a zero parent: governance, for a root) accredited `subject`.
    event Accredited(
        address indexed parent,
        address indexed subject,
        address actor,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        string metadataURI,
        bytes32 metadataHash
    );
    /// @notice The accreditation of `subject` was changed.
    event AccreditationUpdated(
        address indexed parent,
        address indexed subject,
        address actor,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        uint8 reason,
        string metadataURI,
        bytes32 metadataHash
    );
    /// @notice The accreditation of `subject` was suspended.
    event AccreditationSuspended(address indexed parent, address indexed subject, address actor, uint8 reason);
    /// @notice The accreditation of `subject` was reinstated.
    event AccreditationReinstated(address indexed parent, address indexed subject, address actor, uint8 reason);
    /// @notice The accreditation of `subject` was revoked, effective from `effectiveAt`.
    event AccreditationRevoked(
        address indexed parent,
        address indexed subject,
        address actor,
        uint40 effectiveAt,
        uint8 reason
    );

    /// @notice Role bit: may issue credentials of its scope.
    function ROLE_ISSUER() external view returns (uint8);

    /// @notice Role bit: may accredit others within its scope.
    function ROLE_ACCREDITOR() external view returns (uint8);

    /// @notice Most links between a subject and its root, the root included.
    function MAX_DEPTH() external view returns (uint256);

    /// @notice Registers a credential type (an Open Badges achievementType or a VC type). Governance only.
    /// @return typeId The new type's id: its bit in a scope.
    function registerType(string calldata name) external returns (uint8 typeId);

    /// @notice Adds a root authority (a trust anchor) with the accreditor role. Governance only.
    function addRoot(
        address root,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        string calldata metadataURI,
        bytes32 metadataHash
    ) external;

    /// @notice `parent`, an active accreditor, accredits `subject` for `role` and `scope` (a subset of its own).
    function accredit(
        address parent,
        address subject,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        string calldata metadataURI,
        bytes32 metadataHash
    ) external;

    /// @notice The parent of `subject` (governance, for a root) changes its role, scope, validity or metadata.
    function update(
        address subject,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        uint8 reason,
        string calldata metadataURI,
        bytes32 metadataHash
    ) external;

    /// @notice The parent of `subject` (governance, for a root) suspends its accreditation.
    function suspend(address subject, uint8 reason) external;

    /// @notice The parent of `subject` (governance, for a root) lifts its suspension.
    function reinstate(address subject, uint8 reason) external;

    /// @notice The parent of `subject` (governance, for a root) revokes its accreditation, effective from
    /// `effectiveAt` (not in the future). Terminal: the address can never be accredited again.
    function revoke(address subject, uint40 effectiveAt, uint8 reason) external;

    /// @notice Whether `subject` was trusted to issue credentials of type `typeId` at time `at`, and why not.
    /// @dev Time-bound checks (validity, revocation) are taken at `at`; suspension as it stands now.
    /// @return verdict `Trusted`, or why not.
    /// @return failedAt The subject of the link that failed (zero when trusted).
    /// @return root The root the chain ends at (zero when no root was reached).
    function trustedAt(address subject, uint256 typeId, uint256 at)
        external
        view
        returns (Verdict verdict, address failedAt, address root);

    /// @notice The chain of accreditations from `subject` up to its root (the subject first).
    function chainOf(address subject) external view returns (Link[] memory chain);

    /// @notice The accreditation of `subject`, its scope narrowed to what its parents hold now.
    function accreditationOf(address subject) external view returns (Accreditation memory);

    /// @notice Number of registered credential types; ids run from 0 to `typeCount() - 1`.
    function typeCount() external view returns (uint256);

    /// @notice The name of type `typeId`.
    function typeName(uint8 typeId) external view returns (string memory);

    /// @notice The id of the type called `name`; reverts if there is none.
    function typeIdOf(string calldata name) external view returns (uint8);
}
