// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1056} from "./IERC1056.sol";

/// @title Authority to act for a did:ethr identity.
/// @notice A write on behalf of an identity is allowed from the identity's current ERC-1056 owner, or with that
/// owner's EIP-712 signature relayed by anyone (`callWithSignature`). Rotating the DID's owner moves the power.
interface IIdentityAuth {
    /// @notice `caller` may not act for `identity`: it is not the identity's ERC-1056 owner.
    error IdentityAuthUnauthorized(address caller, address identity);
    /// @notice The zero address was given where an identity is required.
    error IdentityAuthZeroIdentity();
    /// @notice A signed call arrived after its deadline.
    error IdentityAuthExpiredSignature(uint256 deadline);
    /// @notice The signature over a signed call is not `signer`'s (ECDSA, or ERC-1271 for contracts).
    error IdentityAuthInvalidSignature(address signer);
    /// @notice A signed call tried to run another signed call.
    error IdentityAuthNestedSignedCall();

    /// @notice A call signed by `signer` was executed; its nonce is now used.
    event SignedCallExecuted(address indexed signer, uint256 nonce, address relayer);

    /// @notice The ERC-1056 registry whose `identityOwner` decides who may act for an identity.
    function didRegistry() external view returns (IERC1056);

    /// @notice Executes `data` (a call to this contract) with the authority of `signer`, who signed the EIP-712
    /// message `SignedCall(address signer,bytes data,uint256 nonce,uint256 deadline)` for this contract and
    /// chain. `nonce` must be `signer`'s next nonce. Anyone may relay it and pays the gas.
    /// @return result The return data of the executed call.
    function callWithSignature(
        address signer,
        bytes calldata data,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes memory result);
}
