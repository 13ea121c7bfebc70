// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {IERC1056} from "./interfaces/IERC1056.sol";
import {ITrustRegistry} from "./interfaces/ITrustRegistry.sol";
import {IdentityAuth} from "./utils/IdentityAuth.sol";

/// @title LER trust registry
/// @notice See {ITrustRegistry}. Governance holds `GOVERNOR_ROLE`; accreditors act through their did:ethr
/// identities (ERC-1056 owner, directly or by signature). Immutable: a new version is a new deployment.
contract TrustRegistry is ITrustRegistry, IdentityAuth, AccessControl, Multicall {
    /// @notice May register credential types and manage root authorities.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    /// @inheritdoc ITrustRegistry
    uint8 public constant ROLE_ISSUER = 1;
    /// @inheritdoc ITrustRegistry
    uint8 public constant ROLE_ACCREDITOR = 2;
    /// @inheritdoc ITrustRegistry
    uint256 public constant MAX_DEPTH = 8;

    /// @notice Most credential types: a scope is a 240-bit set, packed beside the reason and depth.
    uint256 public constant MAX_TYPES = 240;

    uint8 private constant ROLE_BOTH = ROLE_ISSUER | ROLE_ACCREDITOR;

    // Accreditation of each subject, packed into two slots.
    mapping(address subject => Accreditation accreditation) private _accreditations;

    // Name of each credential type, by id.
    string[] private _typeNames;

    // Id + 1 of each credential type, by keccak256 of its name (0: not registered).
    mapping(bytes32 nameHash => uint256 idPlusOne) private _typeIds;

    constructor(IERC1056 registry, address governor) IdentityAuth(registry, "LER TrustRegistry", "1") {
        if (governor == address(0)) revert TrustRegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, governor);
        _grantRole(GOVERNOR_ROLE, governor);
    }

    /// @inheritdoc ITrustRegistry
    function registerType(string calldata name) external onlyRole(GOVERNOR_ROLE) returns (uint8 typeId) {
        if (bytes(name).length == 0) revert TrustRegistryEmptyTypeName();
        bytes32 nameHash = keccak256(bytes(name));
        uint256 existing = _typeIds[nameHash];
        if (existing != 0) revert TrustRegistryTypeExists(name, uint8(existing - 1));
        uint256 count = _typeNames.length;
        if (count == MAX_TYPES) revert TrustRegistryTooManyTypes(MAX_TYPES);
        typeId = uint8(count);
        _typeNames.push(name);
        _typeIds[nameHash] = count + 1;
        emit CredentialTypeRegistered(typeId, name);
    }

    /// @inheritdoc ITrustRegistry
    function addRoot(
        address root,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        string calldata metadataURI,
        bytes32 metadataHash
    ) external onlyRole(GOVERNOR_ROLE) {
        if (root == address(0)) revert TrustRegistryZeroAddress();
        _checkNew(address(0), root);
        _checkScope(root, scope, _registeredScope());
        _checkValidity(validFrom, validUntil);
        _accreditations[root] = Accreditation({
            parent: address(0),
            validFrom: validFrom,
            validUntil: validUntil,
            role: ROLE_ACCREDITOR,
            status: Status.Active,
            reason: 0,
            depth: 0,
            scope: uint240(scope)
        });
        emit Accredited(
            address(0), root, _msgSender(), ROLE_ACCREDITOR, scope, validFrom, validUntil, metadataURI, metadataHash
        );
    }

    /// @inheritdoc ITrustRegistry
    function accredit(
        address parent,
        address subject,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        string calldata metadataURI,
        bytes32 metadataHash
    ) external onlyIdentityOwner(parent) {
        if (subject == address(0)) revert TrustRegistryZeroAddress();
        Accreditation storage p = _accreditations[parent];
        if (p.status != Status.Active || p.role & ROLE_ACCREDITOR == 0) revert TrustRegistryNotAccreditor(parent);
        _checkNew(parent, subject);
        _checkAccreditationRole(role);
        _checkScope(subject, scope, p.scope);
        _checkValidity(validFrom, validUntil);
        uint256 depth = uint256(p.depth) + 1;
        if (depth > MAX_DEPTH) revert TrustRegistryDepthExceeded(depth, MAX_DEPTH);
        _accreditations[subject] = Accreditation({
            parent: parent,
            validFrom: validFrom,
            validUntil: validUntil,
            role: role,
            status: Status.Active,
            reason: 0,
            depth: uint8(depth),
            scope: uint240(scope)
        });
        emit Accredited(parent, subject, _msgSender(), role, scope, validFrom, validUntil, metadataURI, metadataHash);
    }

    /// @inheritdoc ITrustRegistry
    function update(
        address subject,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        uint8 reason,
        string calldata metadataURI,
        bytes32 metadataHash
    ) external {
        Accreditation storage a = _existing(subject);
        address parent = a.parent;
        _checkParentAuthority(parent);
        Status status = a.status;
        if (status == Status.Revoked) revert TrustRegistryInvalidStatus(subject, status);
        if (parent == address(0)) {
            if (role != ROLE_ACCREDITOR) revert TrustRegistryInvalidRole(role);
            _checkScope(subject, scope, _registeredScope());
        } else {
            _checkAccreditationRole(role);
            _checkScope(subject, scope, _accreditations[parent].scope);
        }
        _checkValidity(validFrom, validUntil);
        (a.role, a.scope, a.validFrom, a.validUntil, a.reason) = (role, uint240(scope), validFrom, validUntil, reason);
        emit AccreditationUpdated(
            parent, subject, _msgSender(), role, scope, validFrom, validUntil, reason, metadataURI, metadataHash
        );
    }

    /// @inheritdoc ITrustRegistry
    function suspend(address subject, uint8 reason) external {
        Accreditation storage a = _existing(subject);
        _checkParentAuthority(a.parent);
        if (a.status != Status.Active) revert TrustRegistryInvalidStatus(subject, a.status);
        (a.status, a.reason) = (Status.Suspended, reason);
        emit AccreditationSuspended(a.parent, subject, _msgSender(), reason);
    }

    /// @inheritdoc ITrustRegistry
    function reinstate(address subject, uint8 reason) external {
        Accreditation storage a = _existing(subject);
        _checkParentAuthority(a.parent);
        if (a.status != Status.Suspended) revert TrustRegistryInvalidStatus(subject, a.status);
        (a.status, a.reason) = (Status.Active, reason);
        emit AccreditationReinstated(a.parent, subject, _msgSender(), reason);
    }

    /// @inheritdoc ITrustRegistry
    function revoke(address subject, uint40 effectiveAt, uint8 reason) external {
        Accreditation storage a = _existing(subject);
        _checkParentAuthority(a.parent);
        if (a.status == Status.Revoked) revert TrustRegistryInvalidStatus(subject, a.status);
        if (effectiveAt > block.timestamp) revert TrustRegistryEffectiveTimeInFuture(effectiveAt, block.timestamp);
        // Revocation ends the validity window at its effective time: `trustedAt` needs no second timestamp.
        if (effectiveAt < a.validUntil) a.validUntil = effectiveAt;
        (a.status, a.reason) = (Status.Revoked, reason);
        emit AccreditationRevoked(a.parent, subject, _msgSender(), effectiveAt, reason);
    }

    /// @inheritdoc ITrustRegistry
    function trustedAt(address subject, uint256 typeId, uint256 at)
        external
        view
        returns (Verdict verdict, address failedAt, address root)
    {
        address current = subject;
        for (uint256 i = 0; i <= MAX_DEPTH; ++i) {
            Accreditation memory a = _accreditations[current];
            verdict = _linkVerdict(a, i == 0, typeId, at);
            if (verdict != Verdict.Trusted) return (verdict, current, address(0));
            if (a.parent == address(0)) return (Verdict.Trusted, address(0), current);
            current = a.parent;
        }
        return (Verdict.DepthExceeded, current, address(0));
    }

    /// @inheritdoc ITrustRegistry
    function chainOf(address subject) external view returns (Link[] memory chain) {
        Link[] memory links = new Link[](MAX_DEPTH + 1);
        uint256 n = 0;
        address current = subject;
        while (current != address(0) && n <= MAX_DEPTH) {
            Accreditation memory a = _accreditations[current];
            if (a.status == Status.None) break;
            links[n++] = Link(current, a);
            current = a.parent;
        }
        chain = new Link[](n);
        for (uint256 i = 0; i < n; ++i) {
            chain[i] = links[i];
        }
    }

    /// @inheritdoc ITrustRegistry
    function accreditationOf(address subject) external view returns (Accreditation memory a) {
        a = _accreditations[subject];
        uint240 scope = a.scope;
        address current = a.parent;
        for (uint256 i = 0; current != address(0) && i < MAX_DEPTH; ++i) {
            Accreditation storage p = _accreditations[current];
            scope &= p.scope;
            current = p.parent;
        }
        a.scope = scope;
    }

    /// @inheritdoc ITrustRegistry
    function typeCount() external view returns (uint256) {
        return _typeNames.length;
    }

    /// @inheritdoc ITrustRegistry
    function typeName(uint8 typeId) external view returns (string memory) {
        if (typeId >= _typeNames.length) revert TrustRegistryUnknownType(uint256(1) << typeId, _typeNames.length);
        return _typeNames[typeId];
    }

    /// @inheritdoc ITrustRegistry
    function typeIdOf(string calldata name) external view returns (uint8) {
        uint256 idPlusOne = _typeIds[keccak256(bytes(name))];
        if (idPlusOne == 0) revert TrustRegistryUnknownTypeName(name);
        return uint8(idPlusOne - 1);
    }

    /// @dev Governance may act by signature too: the signer of a signed call is the sender.
    function _msgSender() internal view override(Context) returns (address) {
        return _actor();
    }

    function _linkVerdict(Accreditation memory a, bool isSubject, uint256 typeId, uint256 at)
        private
        pure
        returns (Verdict)
    {
        if (a.status == Status.None) return Verdict.NotAccredited;
        if (isSubject ? a.role & ROLE_ISSUER == 0 : a.role & ROLE_ACCREDITOR == 0) {
            return isSubject ? Verdict.NotIssuer : Verdict.NotAccreditor;
        }
        if (a.status == Status.Suspended) return Verdict.Suspended;
        if (at < a.validFrom) return Verdict.NotYetValid;
        if (at >= a.validUntil) return a.status == Status.Revoked ? Verdict.Revoked : Verdict.Expired;
        if (typeId >= MAX_TYPES || (uint256(a.scope) >> typeId) & 1 == 0) return Verdict.OutOfScope;
        return Verdict.Trusted;
    }

    /// @dev Roots answer to governance; every other link to its parent's identity owner.
    function _checkParentAuthority(address parent) private view {
        if (parent == address(0)) {
            _checkRole(GOVERNOR_ROLE);
        } else {
            _checkIdentityOwner(parent);
        }
    }

    function _existing(address subject) private view returns (Accreditation storage a) {
        a = _accreditations[subject];
        if (a.status == Status.None) revert TrustRegistryNotAccredited(subject);
    }

    /// @dev `subject` must hold no accreditation yet. Only on failure is the chain walked, to name a cycle.
    function _checkNew(address parent, address subject) private view {
        if (subject == parent) revert TrustRegistryCycle(parent, subject);
        Accreditation storage s = _accreditations[subject];
        if (s.status == Status.None) return;
        address current = parent;
        for (uint256 i = 0; current != address(0) && i <= MAX_DEPTH; ++i) {
            if (current == subject) revert TrustRegistryCycle(parent, subject);
            current = _accreditations[current].parent;
        }
        revert TrustRegistryAlreadyAccredited(subject, s.parent);
    }

    function _checkAccreditationRole(uint8 role) private pure {
        if (role == 0 || role > ROLE_BOTH) revert TrustRegistryInvalidRole(role);
    }

    function _checkScope(address subject, uint256 scope, uint256 parentScope) private view {
        if (scope == 0) revert TrustRegistryEmptyScope();
        if (scope & ~parentScope != 0) {
            uint256 count = _typeNames.length;
            if (scope >> count != 0) revert TrustRegistryUnknownType(scope, count);
            revert TrustRegistryScopeNotSubset(subject, scope, parentScope);
        }
    }

    function _checkValidity(uint40 validFrom, uint40 validUntil) private pure {
        if (validUntil <= validFrom) revert TrustRegistryInvalidValidity(validFrom, validUntil);
    }

    /// @dev Every registered type: the scope a root may hold.
    function _registeredScope() private view returns (uint256) {
        return (uint256(1) << _typeNames.length) - 1;
    }
}
