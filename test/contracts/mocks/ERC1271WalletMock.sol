// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @dev A one-key contract wallet (a stand-in for a multisig) that can own a did:ethr identity in ERC-1056 and
/// approves EIP-712 signed calls by ERC-1271. Test support only: not deployed by the project's scripts.
contract ERC1271WalletMock is IERC1271 {
    address public immutable signer;

    error ERC1271WalletMockNotSigner(address caller);

    constructor(address signer_) {
        signer = signer_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == signer ? this.isValidSignature.selector : bytes4(0);
    }

    /// @dev Lets the wallet act as the owner it is, e.g. to change an ERC-1056 owner.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != signer) revert ERC1271WalletMockNotSigner(msg.sender);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }
}
