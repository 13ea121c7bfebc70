// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {IERC1056} from "./interfaces/IERC1056.sol";
import {IStatusRegistry} from "./interfaces/IStatusRegistry.sol";
import {IdentityAuth} from "./utils/IdentityAuth.sol";

/// @title LER status registry
/// @notice See {IStatusRegistry}. Immutable: a new version is a new deployment.
/// @dev Every status bit of every issuer lives in one OpenZeppelin BitMap. An entry's position packs
/// `issuer (160) | purpose (8) | list (64) | index (20)`, so its word is `position >> 8` and a single keccak finds
/// it; sequential indices of one list share words.
contract StatusRegistry is IStatusRegistry, IdentityAuth, Multicall {
    using BitMaps for BitMaps.BitMap;

    /// @inheritdoc IStatusRegistry
    uint256 public constant LIST_SIZE = 1 << INDEX_BITS;

    uint256 private constant INDEX_BITS = 20;
    uint256 private constant WORDS_PER_LIST = LIST_SIZE >> 8;
    uint256 private constant MAX_LIST = type(uint64).max;

    // Status bits of all issuers, lists and purposes, addressed by _position().
    BitMaps.BitMap private _bits;

    // Time at which each issuer revoked each credential hash (0: not revoked).
    mapping(address issuer => mapping(bytes32 credentialHash => uint256 revokedAt)) private _revokedHashes;

    // Block time and number at which each issuer anchored each issuance root.
    mapping(address issuer => mapping(bytes32 root => Anchor anchor)) private _anchors;

    constructor(IERC1056 registry) IdentityAuth(registry, "LER StatusRegistry", "1") {}

    /// @inheritdoc IStatusRegistry
    function revoke(address issuer, uint256 list, uint256 index) external onlyIdentityOwner(issuer) {
        _bits.set(_position(issuer, Purpose.Revocation, list, index));
        emit CredentialRevoked(issuer, list, index);
    }

    /// @inheritdoc IStatusRegistry
    function suspend(address issuer, uint256 list, uint256 index) external onlyIdentityOwner(issuer) {
        _bits.set(_position(issuer, Purpose.Suspension, list, index));
        emit CredentialSuspended(issuer, list, index);
    }

    /// @inheritdoc IStatusRegistry
    function reinstate(address issuer, uint256 list, uint256 index) external onlyIdentityOwner(issuer) {
        _bits.unset(_position(issuer, Purpose.Suspension, list, index));
        emit CredentialReinstated(issuer, list, index);
    }

    /// @inheritdoc IStatusRegistry
    function revokeWords(
        address issuer,
        uint256 list,
        uint256[] calldata wordIndices,
        uint256[] calldata masks
    ) external onlyIdentityOwner(issuer) {
        _updateWords(issuer, Purpose.Revocation, list, true, wordIndices, masks);
    }

    /// @inheritdoc IStatusRegistry
    function suspendWords(
        address issuer,
        uint256 list,
        uint256[] calldata wordIndices,
        uint256[] calldata masks
    ) external onlyIdentityOwner(issuer) {
        _updateWords(issuer, Purpose.Suspension, list, true, wordIndices, masks);
    }

    /// @inheritdoc IStatusRegistry
    function reinstateWords(
        address issuer,
        uint256 list,
        uint256[] calldata wordIndices,
        uint256[] calldata masks
    ) external onlyIdentityOwner(issuer) {
        _updateWords(issuer, Purpose.Suspension, list, false, wordIndices, masks);
    }

    /// @inheritdoc IStatusRegistry
    function revokeIndices(address issuer, uint256 list, uint256[] calldata indices)
        external
        onlyIdentityOwner(issuer)
    {
        _updateIndices(issuer, Purpose.Revocation, list, true, indices);
    }

    /// @inheritdoc IStatusRegistry
    function suspendIndices(address issuer, uint256 list, uint256[] calldata indices)
        external
        onlyIdentityOwner(issuer)
    {
        _updateIndices(issuer, Purpose.Suspension, list, true, indices);
    }

    /// @inheritdoc IStatusRegistry
    function reinstateIndices(address issuer, uint256 list, uint256[] calldata indices)
        external
        onlyIdentityOwner(issuer)
    {
        _updateIndices(issuer, Purpose.Suspension, list, false, indices);
    }

    /// @inheritdoc IStatusRegistry
    function revokeHash(address issuer, bytes32 credentialHash) external onlyIdentityOwner(issuer) {
        _revokeHash(issuer, credentialHash);
    }

    /// @inheritdoc IStatusRegistry
    function revokeHashes(address issuer, bytes32[] calldata credentialHashes) external onlyIdentityOwner(issuer) {
        if (credentialHashes.length == 0) revert StatusRegistryEmptyBatch();
        for (uint256 i = 0; i < credentialHashes.length; ++i) {
            _revokeHash(issuer, credentialHashes[i]);
        }
    }

    /// @inheritdoc IStatusRegistry
    function anchor(address issuer, bytes32 root) external onlyIdentityOwner(issuer) {
        if (root == bytes32(0)) revert StatusRegistryZeroHash();
        Anchor storage entry = _anchors[issuer][root];
        uint64 anchoredAt = entry.timestamp;
        if (anchoredAt != 0) revert StatusRegistryAlreadyAnchored(issuer, root, anchoredAt);
        (entry.timestamp, entry.blockNumber) = (uint64(block.timestamp), uint64(block.number));
        emit IssuanceAnchored(issuer, root);
    }

    /// @inheritdoc IStatusRegistry
    function statusOf(address issuer, uint256 list, uint256 index)
        external
        view
        returns (bool revoked, bool suspended)
    {
        revoked = _bits.get(_position(issuer, Purpose.Revocation, list, index));
        suspended = _bits.get(_position(issuer, Purpose.Suspension, list, index));
    }

    /// @inheritdoc IStatusRegistry
    function getWords(address issuer, Purpose purpose, uint256 list, uint256 fromWord, uint256 count)
        external
        view
        returns (uint256[] memory words)
    {
        if (fromWord >= WORDS_PER_LIST) revert StatusRegistryWordOutOfRange(fromWord, WORDS_PER_LIST);
        if (count > WORDS_PER_LIST - fromWord) {
            revert StatusRegistryWordOutOfRange(fromWord + count - 1, WORDS_PER_LIST);
        }
        uint256 first = _position(issuer, purpose, list, fromWord << 8) >> 8;
        words = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            words[i] = _bits._data[first + i];
        }
    }

    /// @inheritdoc IStatusRegistry
    function hashRevokedAt(address issuer, bytes32 credentialHash) external view returns (uint256) {
        return _revokedHashes[issuer][credentialHash];
    }

    /// @inheritdoc IStatusRegistry
    function hashesRevokedAt(address issuer, bytes32[] calldata credentialHashes)
        external
        view
        returns (uint256[] memory revokedAt)
    {
        mapping(bytes32 => uint256) storage revoked = _revokedHashes[issuer];
        uint256 n = credentialHashes.length;
        revokedAt = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            revokedAt[i] = revoked[credentialHashes[i]];
        }
    }

    /// @inheritdoc IStatusRegistry
    function anchorOf(address issuer, bytes32 root) external view returns (Anchor memory) {
        return _anchors[issuer][root];
    }

    function _updateWords(
        address issuer,
        Purpose purpose,
        uint256 list,
        bool set,
        uint256[] calldata wordIndices,
        uint256[] calldata masks
    ) private {
        uint256 n = wordIndices.length;
        if (n != masks.length) revert StatusRegistryLengthMismatch(n, masks.length);
        if (n == 0) revert StatusRegistryEmptyBatch();
        uint256 base = _position(issuer, purpose, list, 0) >> 8;
        for (uint256 i = 0; i < n; ++i) {
            uint256 wordIndex = wordIndices[i];
            if (wordIndex >= WORDS_PER_LIST) revert StatusRegistryWordOutOfRange(wordIndex, WORDS_PER_LIST);
            // base + wordIndex stays inside this list's words: the low 12 bits of base are zero.
            if (set) {
                _bits._data[base + wordIndex] |= masks[i];
            } else {
                _bits._data[base + wordIndex] &= ~masks[i];
            }
        }
        emit StatusWordsUpdated(issuer, purpose, list, set, wordIndices, masks);
    }

    function _updateIndices(
        address issuer,
        Purpose purpose,
        uint256 list,
        bool set,
        uint256[] calldata indices
    ) private {
        uint256 n = indices.length;
        if (n == 0) revert StatusRegistryEmptyBatch();
        uint256 base = _position(issuer, purpose, list, 0);
        for (uint256 i = 0; i < n; ++i) {
            uint256 index = indices[i];
            if (index >= LIST_SIZE) revert StatusRegistryIndexOutOfRange(index, LIST_SIZE);
            _bits.setTo(base | index, set);
        }
        emit StatusIndicesUpdated(issuer, purpose, list, set, indices);
    }

    function _revokeHash(address issuer, bytes32 credentialHash) private {
        if (credentialHash == bytes32(0)) revert StatusRegistryZeroHash();
        mapping(bytes32 => uint256) storage revoked = _revokedHashes[issuer];
        // Terminal and first-wins: a repeated revocation neither moves the time nor logs again.
        if (revoked[credentialHash] == 0) {
            revoked[credentialHash] = block.timestamp;
            emit CredentialHashRevoked(issuer, credentialHash);
        }
    }

    /// @dev The bit position of an entry; rejects lists and indices out of range.
    function _position(address issuer, Purpose purpose, uint256 list, uint256 index) private pure returns (uint256) {
        if (index >= LIST_SIZE) revert StatusRegistryIndexOutOfRange(index, LIST_SIZE);
        if (list > MAX_LIST) revert StatusRegistryListOutOfRange(list);
        return (uint256(uint160(issuer)) << 96) | (uint256(purpose) << 88) | (list << INDEX_BITS) | index;
    }
}
