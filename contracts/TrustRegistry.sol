// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
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
    /// @inheritdoc ITrustRegistry
    uint256 public constant MAX_TYPES = 112;

    uint8 private constant ROLE_BOTH = ROLE_ISSUER | ROLE_ACCREDITOR;

    bytes32 private constant CONSENT_TYPEHASH = keccak256(
        "AccreditationConsent(address parent,address subject,uint8 role,uint256 scope,uint40 validFrom,"
        "uint40 validUntil,bytes32 metadataHash,uint256 deadline)"
    );

    // Bit offsets of a version's fields in its packed 208-bit form (see ITrustRegistry.Version).
    uint256 private constant VALID_FROM_SHIFT = 112;
    uint256 private constant VALID_UNTIL_SHIFT = 152;
    uint256 private constant REASON_SHIFT = 192;
    uint256 private constant ROLE_SHIFT = 200;
    uint256 private constant STATUS_SHIFT = 202;
    uint256 private constant SCOPE_MASK = (uint256(1) << 112) - 1;
    uint256 private constant TIME_MASK = (uint256(1) << 40) - 1;

    uint256 private constant VERSION_MASK = (uint256(1) << 208) - 1;
    uint256 private constant KEY_SHIFT = 208;

    /// @dev One subject's accreditation: its parent (fixed for life), its depth, and every version as a checkpoint
    /// `since << 208 | version` (the layout of OpenZeppelin's `Checkpoints.Checkpoint208`), `since` strictly
    /// increasing. The count shares the parent's slot rather than taking a slot of its own as in OpenZeppelin's
    /// `Trace208` array: that saves a fresh 22,100-gas slot per accreditation (`accredit` 123,339 -> 99,445 gas,
    /// `update` 75,244 -> 73,313, measured with `npm run bench:gas`): the difference between meeting the targets and
    /// not.
    struct Record {
        address parent;
        uint8 depth;
        uint32 count;
        mapping(uint256 index => uint256 checkpoint) versions;
    }

    // Accreditation of each subject.
    mapping(address subject => Record record) private _records;

    // Name of each credential type, by id.
    string[] private _typeNames;

    // Id + 1 of each credential type, by keccak256 of its name (0: not registered).
    mapping(bytes32 nameHash => uint256 idPlusOne) private _typeIds;

    constructor(IERC1056 registry, address governor) IdentityAuth(registry, "LER TrustRegistry", "2") {
        if (governor == address(0)) revert TrustRegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, governor);
        _grantRole(GOVERNOR_ROLE, governor);
    }

    /// @inheritdoc ITrustRegistry
    function consentDigest(
        address parent,
        address subject,
        uint8 role,
        uint256 scope,
        uint40 validFrom,
        uint40 validUntil,
        bytes32 metadataHash,
        uint256 deadline
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CONSENT_TYPEHASH, parent, subject, role, scope, validFrom, validUntil, metadataHash, deadline
                )
            )
        );
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
        Record storage r = _records[root];
        _push(r, _pack(ROLE_ACCREDITOR, Status.Active, 0, validFrom, validUntil, scope));
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
        bytes32 metadataHash,
        uint256 deadline,
        bytes calldata consent
    ) external onlyIdentityOwner(parent) {
        _accredit(parent, subject, role, scope, validFrom, validUntil);
        _checkConsent(
            subject,
            consentDigest(parent, subject, role, scope, validFrom, validUntil, metadataHash, deadline),
            deadline,
            consent
        );
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
        address parent = _update(subject, role, scope, validFrom, validUntil, reason);
        emit AccreditationUpdated(
            parent, subject, _msgSender(), role, scope, validFrom, validUntil, reason, metadataURI, metadataHash
        );
    }

    /// @inheritdoc ITrustRegistry
    function suspend(address subject, uint8 reason) external {
        Record storage r = _existing(subject);
        uint256 v = _latest(r);
        _checkAuthority(subject, r.parent, false);
        if (_status(v) != Status.Active) revert TrustRegistryInvalidStatus(subject, _status(v));
        _push(r, _withStatus(v, Status.Suspended, reason));
        emit AccreditationSuspended(r.parent, subject, _msgSender(), reason);
    }

    /// @inheritdoc ITrustRegistry
    function reinstate(address subject, uint8 reason) external {
        Record storage r = _existing(subject);
        uint256 v = _latest(r);
        _checkAuthority(subject, r.parent, true);
        if (_status(v) != Status.Suspended) revert TrustRegistryInvalidStatus(subject, _status(v));
        _push(r, _withStatus(v, Status.Active, reason));
        emit AccreditationReinstated(r.parent, subject, _msgSender(), reason);
    }

    /// @inheritdoc ITrustRegistry
    function revoke(address subject, uint40 effectiveAt, uint8 reason) external {
        Record storage r = _existing(subject);
        uint256 v = _latest(r);
        _checkAuthority(subject, r.parent, false);
        if (effectiveAt > block.timestamp) revert TrustRegistryInvalidEffectiveTime(effectiveAt, block.timestamp);
        if (_status(v) == Status.Revoked) {
            // A compromise found later moves the revocation earlier; never later.
            uint256 current = (v >> VALID_UNTIL_SHIFT) & TIME_MASK;
            if (effectiveAt >= current) revert TrustRegistryInvalidEffectiveTime(effectiveAt, current);
        }
        // A revoked version's validUntil is the revocation's effective time.
        v = (v & ~(TIME_MASK << VALID_UNTIL_SHIFT)) | (uint256(effectiveAt) << VALID_UNTIL_SHIFT);
        _push(r, _withStatus(v, Status.Revoked, reason));
        emit AccreditationRevoked(r.parent, subject, _msgSender(), effectiveAt, reason);
    }

    /// @inheritdoc ITrustRegistry
    function trustedAt(address subject, uint256 typeId, uint256 at)
        external
        view
        returns (Verdict verdict, address failedAt, address root)
    {
        uint48 key = at > type(uint48).max ? type(uint48).max : uint48(at);
        address current = subject;
        for (uint256 i = 0; i <= MAX_DEPTH; ++i) {
            Record storage r = _records[current];
            uint256 latest = _latest(r);
            if (latest == 0) return (Verdict.NotAccredited, current, address(0));
            verdict = _linkVerdict(
                latest,
                _versionAt(r, key),
                key == 0 ? 0 : _versionAt(r, key - 1),
                i == 0,
                typeId,
                at
            );
            if (verdict != Verdict.Trusted) return (verdict, current, address(0));
            if (r.parent == address(0)) return (Verdict.Trusted, address(0), current);
            current = r.parent;
        }
        return (Verdict.DepthExceeded, current, address(0));
    }

    /// @inheritdoc ITrustRegistry
    function chainAt(address subject, uint256 at) external view returns (LinkAt[] memory chain) {
        uint48 key = at > type(uint48).max ? type(uint48).max : uint48(at);
        LinkAt[] memory links = new LinkAt[](MAX_DEPTH + 1);
        uint256 n = 0;
        address current = subject;
        while (n <= MAX_DEPTH) {
            Record storage r = _records[current];
            uint256 latest = _latest(r);
            if (latest == 0) break;
            links[n++] = LinkAt({
                subject: current,
                parent: r.parent,
                before: _unpack(key == 0 ? 0 : _versionAt(r, key - 1)),
                current: _unpack(_versionAt(r, key)),
                latest: _unpack(latest)
            });
            current = r.parent;
            if (current == address(0)) break;
        }
        chain = new LinkAt[](n);
        for (uint256 i = 0; i < n; ++i) {
            chain[i] = links[i];
        }
    }

    /// @inheritdoc ITrustRegistry
    function historyOf(address subject) external view returns (LinkHistory[] memory chain) {
        LinkHistory[] memory links = new LinkHistory[](MAX_DEPTH + 1);
        uint256 n = 0;
        address current = subject;
        while (n <= MAX_DEPTH) {
            Record storage r = _records[current];
            uint256 count = r.count;
            if (count == 0) break;
            uint256[] memory versions = new uint256[](count);
            for (uint256 i = 0; i < count; ++i) {
                versions[i] = r.versions[i];
            }
            links[n++] = LinkHistory({subject: current, parent: r.parent, versions: versions});
            current = r.parent;
            if (current == address(0)) break;
        }
        chain = new LinkHistory[](n);
        for (uint256 i = 0; i < n; ++i) {
            chain[i] = links[i];
        }
    }

    /// @inheritdoc ITrustRegistry
    function accreditationOf(address subject)
        external
        view
        returns (address parent, uint256 versionCount, Version memory current)
    {
        Record storage r = _records[subject];
        return (r.parent, r.count, _unpack(_latest(r)));
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

    /// @dev Checks and writes a new link `parent -> subject`; the caller checks consent and emits.
    function _accredit(address parent, address subject, uint8 role, uint256 scope, uint40 validFrom, uint40 validUntil)
        private
    {
        if (subject == address(0)) revert TrustRegistryZeroAddress();
        Record storage p = _records[parent];
        uint256 parentVersion = _latest(p);
        if (!_inForce(parentVersion)) revert TrustRegistryNotAccreditor(parent);
        _checkNew(parent, subject);
        _checkAccreditationRole(role);
        _checkScope(subject, scope, parentVersion & SCOPE_MASK);
        _checkValidity(validFrom, validUntil);
        uint256 depth = uint256(p.depth) + 1;
        if (depth > MAX_DEPTH) revert TrustRegistryDepthExceeded(depth, MAX_DEPTH);
        Record storage r = _records[subject];
        (r.parent, r.depth) = (parent, uint8(depth));
        _push(r, _pack(role, Status.Active, 0, validFrom, validUntil, scope));
    }

    /// @dev Checks and writes a new version of `subject`'s link with these terms, its status kept.
    function _update(address subject, uint8 role, uint256 scope, uint40 validFrom, uint40 validUntil, uint8 reason)
        private
        returns (address parent)
    {
        Record storage r = _existing(subject);
        parent = r.parent;
        _checkAuthority(subject, parent, true);
        Status status = _status(_latest(r));
        if (status == Status.Revoked) revert TrustRegistryInvalidStatus(subject, status);
        if (parent == address(0)) {
            if (role != ROLE_ACCREDITOR) revert TrustRegistryInvalidRole(role);
            _checkScope(subject, scope, _registeredScope());
        } else {
            _checkAccreditationRole(role);
            _checkScope(subject, scope, _latest(_records[parent]) & SCOPE_MASK);
        }
        _checkValidity(validFrom, validUntil);
        _push(r, _pack(role, status, reason, validFrom, validUntil, scope));
    }

    /// @dev One link's verdict at `at`: the rules that apply now (`latest`), then the version in effect at `at`
    /// (`current`) and, when a change took effect at `at` itself, the version before it (`before`).
    function _linkVerdict(uint256 latest, uint256 current, uint256 before, bool isSubject, uint256 typeId, uint256 at)
        private
        pure
        returns (Verdict)
    {
        Status now_ = _status(latest);
        if (now_ == Status.Suspended) return Verdict.Suspended;
        if (now_ == Status.Revoked && at >= (latest >> VALID_UNTIL_SHIFT) & TIME_MASK) return Verdict.Revoked;
        Verdict verdict = _versionVerdict(current, isSubject, typeId, at);
        if (verdict != Verdict.Trusted || before == current) return verdict;
        return _versionVerdict(before, isSubject, typeId, at);
    }

    /// @dev What one version says about `at`; a zero version did not exist yet.
    function _versionVerdict(uint256 v, bool isSubject, uint256 typeId, uint256 at) private pure returns (Verdict) {
        if (v == 0) return Verdict.NotYetValid;
        uint256 role = (v >> ROLE_SHIFT) & 3;
        if (isSubject ? role & ROLE_ISSUER == 0 : role & ROLE_ACCREDITOR == 0) {
            return isSubject ? Verdict.NotIssuer : Verdict.NotAccreditor;
        }
        Status status = _status(v);
        if (status == Status.Suspended) return Verdict.Suspended;
        if (status == Status.Revoked) return Verdict.Revoked;
        if (at < (v >> VALID_FROM_SHIFT) & TIME_MASK) return Verdict.NotYetValid;
        if (at >= (v >> VALID_UNTIL_SHIFT) & TIME_MASK) return Verdict.Expired;
        if (typeId >= MAX_TYPES || (v >> typeId) & 1 == 0) return Verdict.OutOfScope;
        return Verdict.Trusted;
    }

    /// @dev Whether a version may accredit now: active, with the accreditor role, inside its validity window.
    function _inForce(uint256 v) private view returns (bool) {
        return _status(v) == Status.Active && ((v >> ROLE_SHIFT) & ROLE_ACCREDITOR) != 0
            && block.timestamp >= (v >> VALID_FROM_SHIFT) & TIME_MASK
            && block.timestamp < (v >> VALID_UNTIL_SHIFT) & TIME_MASK;
    }

    /// @dev Who may change `subject`'s link. The parent, while its own accreditation is in force. Above it, an
    /// ancestor in force may tighten (suspend, revoke), and may loosen (update, reinstate) only when every
    /// accreditor between them is out of force: the subtree is orphaned. Governance manages roots, may tighten any
    /// link, and may loosen one whose parent is out of force. An accreditor held by a suspension above it may still
    /// act on its own subjects; no verdict moves while the hold lasts, since every link is judged at each time.
    function _checkAuthority(address subject, address parent, bool loosen) private view {
        address actor = _actor();
        if (parent == address(0)) {
            if (hasRole(GOVERNOR_ROLE, actor)) return;
            revert TrustRegistryUnauthorized(actor, subject);
        }
        bool orphaned = true;
        bool parentInForce = false;
        address current = parent;
        for (uint256 i = 0; current != address(0) && i < MAX_DEPTH; ++i) {
            Record storage r = _records[current];
            bool inForce = _inForce(_latest(r));
            if (i == 0) parentInForce = inForce;
            if (inForce && didRegistry.identityOwner(current) == actor) {
                if (!loosen || orphaned) return;
                break;
            }
            if (inForce) orphaned = false;
            current = r.parent;
        }
        if (hasRole(GOVERNOR_ROLE, actor) && (!loosen || !parentInForce)) return;
        revert TrustRegistryUnauthorized(actor, subject);
    }

    /// @dev The owner of `subject` consents by making the call itself, or by signing the terms.
    function _checkConsent(address subject, bytes32 digest, uint256 deadline, bytes calldata consent) private view {
        address owner = didRegistry.identityOwner(subject);
        if (owner == _actor()) return;
        if (block.timestamp > deadline) revert TrustRegistryConsentExpired(deadline);
        if (!SignatureChecker.isValidSignatureNowCalldata(owner, digest, consent)) {
            revert TrustRegistryNoConsent(subject);
        }
    }

    function _existing(address subject) private view returns (Record storage r) {
        r = _records[subject];
        if (r.count == 0) revert TrustRegistryNotAccredited(subject);
    }

    /// @dev Records `v` as the version from now on. A second change in the same block time replaces the first
    /// one's version: a time is judged by the version before that block time and the one it ended with.
    function _push(Record storage r, uint256 v) private {
        uint256 key = block.timestamp;
        uint256 count = r.count;
        if (count != 0 && r.versions[count - 1] >> KEY_SHIFT == key) {
            r.versions[count - 1] = (key << KEY_SHIFT) | v;
        } else {
            r.versions[count] = (key << KEY_SHIFT) | v;
            // A link gains at most one version per block: 2^32 of them cannot be reached.
            r.count = uint32(count + 1);
        }
    }

    /// @dev The version now (0: none).
    function _latest(Record storage r) private view returns (uint256) {
        uint256 count = r.count;
        return count == 0 ? 0 : r.versions[count - 1] & VERSION_MASK;
    }

    /// @dev The version in effect at `key`: that of the last checkpoint at or before it (0: none), found by binary
    /// search, most recent first as OpenZeppelin's `upperLookupRecent` does (verifiers ask about recent times most).
    function _versionAt(Record storage r, uint256 key) private view returns (uint256) {
        uint256 high = r.count;
        if (high == 0) return 0;
        uint256 last = r.versions[high - 1];
        if (last >> KEY_SHIFT <= key) return last & VERSION_MASK;
        uint256 low = 0;
        // Invariant: every checkpoint below `low` is at or before `key`; those from `high` on are after it.
        high -= 1;
        while (low < high) {
            uint256 mid = (low + high) >> 1;
            if (r.versions[mid] >> KEY_SHIFT > key) high = mid;
            else low = mid + 1;
        }
        return high == 0 ? 0 : r.versions[high - 1] & VERSION_MASK;
    }

    /// @dev `subject` must never have been accredited. Only on failure is the chain walked, to name a cycle.
    function _checkNew(address parent, address subject) private view {
        if (subject == parent) revert TrustRegistryCycle(parent, subject);
        Record storage s = _records[subject];
        if (s.count == 0) return;
        address current = parent;
        for (uint256 i = 0; current != address(0) && i <= MAX_DEPTH; ++i) {
            if (current == subject) revert TrustRegistryCycle(parent, subject);
            current = _records[current].parent;
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

    function _pack(uint8 role, Status status, uint8 reason, uint40 validFrom, uint40 validUntil, uint256 scope)
        private
        pure
        returns (uint256)
    {
        return scope | (uint256(validFrom) << VALID_FROM_SHIFT) | (uint256(validUntil) << VALID_UNTIL_SHIFT)
            | (uint256(reason) << REASON_SHIFT) | (uint256(role) << ROLE_SHIFT) | (uint256(status) << STATUS_SHIFT);
    }

    function _withStatus(uint256 v, Status status, uint8 reason) private pure returns (uint256) {
        v &= ~((uint256(0xff) << REASON_SHIFT) | (uint256(3) << STATUS_SHIFT));
        return v | (uint256(reason) << REASON_SHIFT) | (uint256(status) << STATUS_SHIFT);
    }

    function _status(uint256 v) private pure returns (Status) {
        return Status((v >> STATUS_SHIFT) & 3);
    }

    function _unpack(uint256 v) private pure returns (Version memory) {
        return Version({
            role: uint8((v >> ROLE_SHIFT) & 3),
            status: _status(v),
            reason: uint8(v >> REASON_SHIFT),
            validFrom: uint40(v >> VALID_FROM_SHIFT),
            validUntil: uint40(v >> VALID_UNTIL_SHIFT),
            scope: uint112(v)
        });
    }
}
