// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";

/// @title One hash per slot: a plain revocation mapping, kept as a gas-benchmark peer.
/// @notice BENCHMARK PEER ONLY. Not part of the LER registries, not deployed by the project's scripts, and not
/// audited: `bench/gas.ts` deploys it to compare the cost of the common "mapping from credential hash to revocation
/// time" design with the StatusRegistry's bit lists. It belongs to one issuer (as many per-issuer revocation
/// registries do) and, to be a fair peer, authorises writes the way the LER registries do: only the issuer's current
/// ERC-1056 owner may revoke. Revocation is terminal and first-wins, as in `StatusRegistry.revokeHash`.
contract HashRevocationRegistry {
    /// @notice `caller` is not the ERC-1056 owner of `issuer`.
    error HashRevocationRegistryUnauthorized(address caller, address issuer);
    /// @notice The zero hash was given.
    error HashRevocationRegistryZeroHash();
    /// @notice A batch was empty.
    error HashRevocationRegistryEmptyBatch();

    /// @notice The credential with hash `credentialHash` was revoked.
    event HashRevoked(bytes32 indexed credentialHash);

    /// @notice The ERC-1056 registry whose `identityOwner` decides who may revoke for `issuer`.
    IERC1056 public immutable didRegistry;

    /// @notice The did:ethr identity whose revocations this registry keeps.
    address public immutable issuer;

    /// @notice When each credential hash was revoked (0: not revoked).
    mapping(bytes32 credentialHash => uint256 timestamp) public revokedAt;

    modifier onlyIssuerOwner() {
        _checkIssuerOwner();
        _;
    }

    constructor(IERC1056 registry, address issuer_) {
        didRegistry = registry;
        issuer = issuer_;
    }

    /// @notice Revokes the credential with hash `credentialHash`. Revoking it again keeps the first time.
    function revoke(bytes32 credentialHash) external onlyIssuerOwner {
        _revoke(credentialHash);
    }

    /// @notice Revokes every credential in `credentialHashes`, one storage slot each.
    function revokeBatch(bytes32[] calldata credentialHashes) external onlyIssuerOwner {
        if (credentialHashes.length == 0) revert HashRevocationRegistryEmptyBatch();
        for (uint256 i = 0; i < credentialHashes.length; ++i) {
            _revoke(credentialHashes[i]);
        }
    }

    function _revoke(bytes32 credentialHash) private {
        if (credentialHash == bytes32(0)) revert HashRevocationRegistryZeroHash();
        if (revokedAt[credentialHash] == 0) {
            revokedAt[credentialHash] = block.timestamp;
            emit HashRevoked(credentialHash);
        }
    }

    function _checkIssuerOwner() private view {
        address owner = didRegistry.identityOwner(issuer);
        if (msg.sender != owner) revert HashRevocationRegistryUnauthorized(msg.sender, issuer);
    }
}
