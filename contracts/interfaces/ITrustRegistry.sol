// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title LER trust registry: who is accredited, by whom, to issue which kinds of credential, and when.
/// @notice Governance registers credential types and root authorities. An accreditor accredits a subject (an
/// accreditor, an issuer, or both) for a scope of types that must lie within its own, for a validity window, with
/// the subject's consent. Accreditations are changed, suspended and reinstated, revoked (terminal, with an effective
/// time that may lie in the past) and expire.
///
/// Every change is a new version of the accreditation, keyed by the block time it took effect; earlier versions are
/// never rewritten. `trustedAt(subject, T, t)` judges each link of the chain by the version in effect at `t` (it
/// existed, was active, had the role, held `T`, and `t` lay in its window) and, on top of that, by two rules that
/// apply now: a link suspended now holds everything beneath it, and a link revoked with an effective time at or
/// before `t` distrusts `t`. When a change shares its block time with `t`, both the version before it and the one
/// after it must pass. Each subject has at most one accreditation and its parent never changes, so the chain at any
/// time is the chain of versions at that time.
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
        NotIssuer, // the subject's version at the time asked about may not issue
        NotAccreditor, // a link above the subject may not accredit (in its version at that time)
        Suspended, // a link is suspended now, or was at the time asked about
        Revoked, // a link was revoked with an effective time at or before the time asked about
        NotYetValid, // the time asked about is before a link existed, or before its validFrom
        Expired, // the time asked about is at or after a link's validUntil
        OutOfScope, // a link's scope at that time lacks the type
        DepthExceeded // no root within MAX_DEPTH links
    }

    /// @notice One version of an accreditation: what it said from the block time it took effect.
    /// @dev Stored packed into the 208-bit value of an OpenZeppelin `Checkpoints.Trace208` entry, keyed by that
    /// block time: scope in bits 0-111, validFrom 112-151, validUntil 152-191, reason 192-199, role 200-201, status
    /// 202-203. In a revoked version `validUntil` is the revocation's effective time.
    struct Version {
        uint8 role;
        Status status;
        uint8 reason;
        uint40 validFrom;
        uint40 validUntil;
        uint112 scope;
    }

    /// @notice One link of a chain with every version it has had, as returned by `historyOf`.
    /// @dev `versions[i]` packs a checkpoint as `since << 208 | version` (see {Version}); `since` strictly increases.
    struct LinkHistory {
        address subject;
        address parent;
        uint256[] versions;
    }

    /// @notice One link of a chain as it stood at a time, as returned by `chainAt`.
    /// @dev A version of status `None` did not exist. `before` is the version in effect just before `at` (it differs
    /// from `current` only when a change took effect at `at` itself); `latest` is the version in effect now.
    struct LinkAt {
        address subject;
        address parent;
        Version before;
        Version current;
        Version latest;
    }

    /// @notice The zero address was given for a subject.
    error TrustRegistryZeroAddress();
    /// @notice `subject` already holds an accreditation (from `parent`), or held one that was revoked.
    error TrustRegistryAlreadyAccredited(address subject, address parent);
    /// @notice Accrediting `subject` under `parent` would close a cycle: `subject` is `parent` or above it.
    error TrustRegistryCycle(address parent, address subject);
    /// @notice `subject` has no accreditation.
    error TrustRegistryNotAccredited(address subject);
    /// @notice `accreditor` may not accredit now: its accreditation is not active, not in its validity window, or
    /// lacks the accreditor role.
    error TrustRegistryNotAccreditor(address accreditor);
    /// @notice `actor` may not make this change to the accreditation of `subject`: only its parent while in force,
    /// an ancestor in force (to tighten it, or to loosen it when every accreditor between them is out of force) and
    /// governance (roots; tightening anything; loosening what is orphaned) may.
    error TrustRegistryUnauthorized(address actor, address subject);
    /// @notice The owner of `subject` did not consent to this accreditation (no valid signature over its terms).
    error TrustRegistryNoConsent(address subject);
    /// @notice The subject's consent expired at `deadline`.
    error TrustRegistryConsentExpired(uint256 deadline);
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
    /// @notice A revocation's effective time lies in the future, or (for a link already revoked) is not earlier
    /// than the effective time it has (`current`).
    error TrustRegistryInvalidEffectiveTime(uint40 effectiveAt, uint256 bound);
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
    /// @notice `parent` (a zero parent: governance, for a root) accredited `subject`, which consented.
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
    /// @notice The accreditation of `subject` was changed (its status stays what it was).
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
    /// @notice The accreditation of `subject` was revoked, effective from `effectiveAt` (a second revocation moves
    /// that time earlier).
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

    /// @notice The deepest a link may lie below its root (a root has depth 0): a chain holds at most `MAX_DEPTH + 1`
    /// links, the root included.
    function MAX_DEPTH() external view returns (uint256);

    /// @notice Most credential types: a scope is a 112-bit set, packed with the rest of a version into 208 bits.
    function MAX_TYPES() external view returns (uint256);

    /// @notice The EIP-712 digest the owner of `subject` signs to consent to being accredited on these terms.
    function consentDigest(
        address parent,
        address subject,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        bytes32 metadataHash,
        uint256 deadline
    ) external view returns (bytes32);

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

    /// @notice `parent`, an accreditor in force, accredits `subject` for `role` and `scope` (a subset of its own).
    /// `consent` is the EIP-712 signature of `subject`'s ERC-1056 owner over `consentDigest` (ERC-1271 for a
    /// contract owner); it may be empty when that owner makes the call itself. A subject is accredited once: the
    /// consent cannot be replayed.
    function accredit(
        address parent,
        address subject,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        string calldata metadataURI,
        bytes32 metadataHash,
        uint256 deadline,
        bytes calldata consent
    ) external;

    /// @notice Changes the role, scope, validity or metadata of `subject`'s accreditation from now on.
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

    /// @notice Suspends `subject`'s accreditation: it and everything beneath it are distrusted while it lasts, and
    /// what is issued meanwhile stays distrusted.
    function suspend(address subject, uint8 reason) external;

    /// @notice Lifts the suspension of `subject`'s accreditation from now on.
    function reinstate(address subject, uint8 reason) external;

    /// @notice Revokes `subject`'s accreditation, effective from `effectiveAt` (not in the future). Terminal: the
    /// address can never be accredited again. On a revoked link it moves the effective time earlier.
    function revoke(address subject, uint40 effectiveAt, uint8 reason) external;

    /// @notice Whether `subject` was trusted to issue credentials of type `typeId` at time `at`, and why not.
    /// @return verdict `Trusted`, or why not.
    /// @return failedAt The subject of the link that failed (zero when trusted).
    /// @return root The root the chain ends at (zero when no root was reached).
    function trustedAt(address subject, uint256 typeId, uint256 at)
        external
        view
        returns (Verdict verdict, address failedAt, address root);

    /// @notice The chain from `subject` up to its root (the subject first) as it stood at `at`.
    function chainAt(address subject, uint256 at) external view returns (LinkAt[] memory chain);

    /// @notice The chain from `subject` up to its root (the subject first), each link with all its versions.
    function historyOf(address subject) external view returns (LinkHistory[] memory chain);

    /// @notice The parent of `subject`, the number of versions its accreditation has had, and the version now.
    function accreditationOf(address subject)
        external
        view
        returns (address parent, uint256 versionCount, Version memory current);

    /// @notice Number of registered credential types; ids run from 0 to `typeCount() - 1`.
    function typeCount() external view returns (uint256);

    /// @notice The name of type `typeId`.
    function typeName(uint8 typeId) external view returns (string memory);

    /// @notice The id of the type called `name`; reverts if there is none.
    function typeIdOf(string calldata name) external view returns (uint8);
}
