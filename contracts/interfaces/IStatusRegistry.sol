// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title LER status registry: revocation and suspension lists, and issuance anchors, kept by issuers.
/// @notice Each issuer owns status lists addressed by `(list, index)`. A list holds `LIST_SIZE` entries, 256 to a
/// storage word, once for each purpose: revocation (terminal: a set bit is never cleared) and suspension
/// (reversible). Credentials issued without a status entry can be revoked by their hash. An issuance anchor records
/// the block time at which an issuer committed to the Merkle root of a batch of credentials.
/// Only an issuer's ERC-1056 owner (directly, or by signature through `callWithSignature`) changes its records.
interface IStatusRegistry {
    /// @notice What a status list records.
    enum Purpose {
        Revocation,
        Suspension
    }

    /// @notice The block time and number at which an issuance root was anchored.
    struct Anchor {
        uint64 timestamp;
        uint64 blockNumber;
    }

    /// @notice `index` is not below the list size `size`.
    error StatusRegistryIndexOutOfRange(uint256 index, uint256 size);
    /// @notice `wordIndex` is not below the number of words in a list, `words`.
    error StatusRegistryWordOutOfRange(uint256 wordIndex, uint256 words);
    /// @notice The list id does not fit in 64 bits.
    error StatusRegistryListOutOfRange(uint256 list);
    /// @notice The two arrays of a batch have different lengths.
    error StatusRegistryLengthMismatch(uint256 wordIndices, uint256 masks);
    /// @notice A batch was empty.
    error StatusRegistryEmptyBatch();
    /// @notice A zero hash or Merkle root was given.
    error StatusRegistryZeroHash();
    /// @notice `root` was already anchored by `issuer`, at `timestamp`.
    error StatusRegistryAlreadyAnchored(address issuer, bytes32 root, uint64 timestamp);

    /// @notice Entry `(list, index)` of `issuer` was revoked.
    event CredentialRevoked(address indexed issuer, uint256 list, uint256 index);
    /// @notice Entry `(list, index)` of `issuer` was suspended.
    event CredentialSuspended(address indexed issuer, uint256 list, uint256 index);
    /// @notice Entry `(list, index)` of `issuer` was reinstated (its suspension cleared).
    event CredentialReinstated(address indexed issuer, uint256 list, uint256 index);
    /// @notice Whole words of a list changed: for each `i`, the bits of `masks[i]` in word `wordIndices[i]` were set
    /// (`set`) or cleared.
    event StatusWordsUpdated(
        address indexed issuer,
        Purpose indexed purpose,
        uint256 list,
        bool set,
        uint256[] wordIndices,
        uint256[] masks
    );
    /// @notice The entries `indices` of a list were set (`set`) or cleared.
    event StatusIndicesUpdated(
        address indexed issuer,
        Purpose indexed purpose,
        uint256 list,
        bool set,
        uint256[] indices
    );
    /// @notice The credential with hash `credentialHash` was revoked by `issuer`.
    /// @dev The hash is not indexed, to keep the write under 52,000 gas; readers look it up in storage.
    event CredentialHashRevoked(address indexed issuer, bytes32 credentialHash);
    /// @notice `issuer` anchored the Merkle root `root` of a batch of issued credentials at this block.
    /// @dev The root is not indexed, to keep the write under 52,000 gas; readers look it up in storage.
    event IssuanceAnchored(address indexed issuer, bytes32 root);

    /// @notice Entries in one status list.
    function LIST_SIZE() external view returns (uint256);

    /// @notice Revokes entry `(list, index)` of `issuer`. Revoking a revoked entry changes nothing.
    function revoke(address issuer, uint256 list, uint256 index) external;

    /// @notice Suspends entry `(list, index)` of `issuer`.
    function suspend(address issuer, uint256 list, uint256 index) external;

    /// @notice Clears the suspension of entry `(list, index)` of `issuer`.
    function reinstate(address issuer, uint256 list, uint256 index) external;

    /// @notice Revokes every entry whose bit is set in `masks[i]` within word `wordIndices[i]` (entries
    /// `256 * wordIndices[i] + bit`). 256 sequential revocations cost one storage write.
    function revokeWords(
        address issuer,
        uint256 list,
        uint256[] calldata wordIndices,
        uint256[] calldata masks
    ) external;

    /// @notice Suspends every entry selected by the masks, as in `revokeWords`.
    function suspendWords(
        address issuer,
        uint256 list,
        uint256[] calldata wordIndices,
        uint256[] calldata masks
    ) external;

    /// @notice Clears the suspension of every entry selected by the masks, as in `revokeWords`.
    function reinstateWords(
        address issuer,
        uint256 list,
        uint256[] calldata wordIndices,
        uint256[] calldata masks
    ) external;

    /// @notice Revokes the entries `indices` of one list.
    function revokeIndices(address issuer, uint256 list, uint256[] calldata indices) external;

    /// @notice Suspends the entries `indices` of one list.
    function suspendIndices(address issuer, uint256 list, uint256[] calldata indices) external;

    /// @notice Clears the suspension of the entries `indices` of one list.
    function reinstateIndices(address issuer, uint256 list, uint256[] calldata indices) external;

    /// @notice Revokes a credential by its hash (for credentials without a status entry). Terminal; revoking
    /// twice keeps the first time.
    function revokeHash(address issuer, bytes32 credentialHash) external;

    /// @notice Revokes several credentials by hash.
    function revokeHashes(address issuer, bytes32[] calldata credentialHashes) external;

    /// @notice Records the current block as the issuance time of the batch whose Merkle root is `root`.
    function anchor(address issuer, bytes32 root) external;

    /// @notice Whether entry `(list, index)` of `issuer` is revoked and whether it is suspended.
    function statusOf(address issuer, uint256 list, uint256 index)
        external
        view
        returns (bool revoked, bool suspended);

    /// @notice `count` consecutive words of a list, from `fromWord`; bit `b` of word `w` is entry `256 * w + b`.
    function getWords(address issuer, Purpose purpose, uint256 list, uint256 fromWord, uint256 count)
        external
        view
        returns (uint256[] memory words);

    /// @notice When the credential hash was revoked by `issuer` (0: not revoked).
    function hashRevokedAt(address issuer, bytes32 credentialHash) external view returns (uint256);

    /// @notice `hashRevokedAt` of each of `credentialHashes`, in order: a verifier's whole batch in one sub-call.
    function hashesRevokedAt(address issuer, bytes32[] calldata credentialHashes)
        external
        view
        returns (uint256[] memory revokedAt);

    /// @notice When `issuer` anchored `root` (zeros: never).
    function anchorOf(address issuer, bytes32 root) external view returns (Anchor memory);
}
