// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title The part of the ERC-1056 EthereumDIDRegistry that the LER registries rely on.
/// @dev did:ethr identities are addresses; the key that may act for one is `identityOwner(identity)`.
interface IERC1056 {
    /// @notice The current owner of `identity`: the identity itself until ownership was changed.
    function identityOwner(address identity) external view returns (address);
}
