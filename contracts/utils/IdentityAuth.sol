// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {IIdentityAuth} from "../interfaces/IIdentityAuth.sol";

/// @title Identity authority shared by the LER registries.
/// @dev Direct calls are authorised by comparing `msg.sender` with the identity's ERC-1056 owner. Signed calls
/// verify the owner's signature once, then re-enter this contract by `delegatecall` with the signer held in
/// transient storage for the duration of that call only, so every write function gains a signed form without a
/// second copy of its code.
abstract contract IdentityAuth is IIdentityAuth, EIP712, Nonces {
    using TransientSlot for *;

    bytes32 private constant SIGNED_CALL_TYPEHASH =
        keccak256("SignedCall(address signer,bytes data,uint256 nonce,uint256 deadline)");

    // keccak256(abi.encode(uint256(keccak256("ler.IdentityAuth.signer")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant SIGNER_SLOT = 0x5a4e1c76aae297cec88008cb06d57b5143e79bfbd2e6cb2e09a7a16a6acab100;

    /// @inheritdoc IIdentityAuth
    IERC1056 public immutable didRegistry;

    modifier onlyIdentityOwner(address identity) {
        _checkIdentityOwner(identity);
        _;
    }

    constructor(IERC1056 registry, string memory name, string memory version) EIP712(name, version) {
        didRegistry = registry;
    }

    /// @inheritdoc IIdentityAuth
    function callWithSignature(
        address signer,
        bytes calldata data,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes memory result) {
        if (block.timestamp > deadline) revert IdentityAuthExpiredSignature(deadline);
        if (SIGNER_SLOT.asAddress().tload() != address(0)) revert IdentityAuthNestedSignedCall();
        _useCheckedNonce(signer, nonce);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(SIGNED_CALL_TYPEHASH, signer, keccak256(data), nonce, deadline))
        );
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, digest, signature)) {
            revert IdentityAuthInvalidSignature(signer);
        }
        emit SignedCallExecuted(signer, nonce, msg.sender);

        SIGNER_SLOT.asAddress().tstore(signer);
        result = Address.functionDelegateCall(address(this), data);
        SIGNER_SLOT.asAddress().tstore(address(0));
    }

    /// @dev Reverts unless the current call acts for `identity`: sent by its ERC-1056 owner, or signed by it.
    function _checkIdentityOwner(address identity) internal view {
        // identityOwner(0) is 0, which would match an empty signer slot.
        if (identity == address(0)) revert IdentityAuthZeroIdentity();
        address owner = didRegistry.identityOwner(identity);
        if (msg.sender != owner) {
            address signer = SIGNER_SLOT.asAddress().tload();
            if (signer != owner) revert IdentityAuthUnauthorized(signer == address(0) ? msg.sender : signer, identity);
        }
    }

    /// @dev The account this call acts as: the signer of a signed call, else `msg.sender`.
    function _actor() internal view returns (address) {
        address signer = SIGNER_SLOT.asAddress().tload();
        return signer == address(0) ? msg.sender : signer;
    }
}
