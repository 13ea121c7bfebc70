// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {StatusRegistry} from "../../contracts/StatusRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";
import {IIdentityAuth} from "../../contracts/interfaces/IIdentityAuth.sol";
import {MiniTest} from "./utils/MiniTest.sol";

/// Signed calls: each signature works once, on one chain and contract, before its deadline, for its signer.
contract IdentityAuthFuzzTest is MiniTest {
    bytes32 internal constant SIGNED_CALL_TYPEHASH =
        keccak256("SignedCall(address signer,bytes data,uint256 nonce,uint256 deadline)");
    uint256 internal constant SECP256K1_N =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    EthereumDIDRegistry internal dids;
    StatusRegistry internal status;

    function setUp() public {
        dids = new EthereumDIDRegistry();
        status = new StatusRegistry(IERC1056(address(dids)));
    }

    function _sign(uint256 key, bytes memory data, uint256 nonce, uint256 deadline, uint256 chainId)
        internal
        view
        returns (bytes memory)
    {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("LER StatusRegistry"),
                keccak256("1"),
                chainId,
                address(status)
            )
        );
        bytes32 structHash = keccak256(abi.encode(SIGNED_CALL_TYPEHASH, vm.addr(key), keccak256(data), nonce, deadline));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        return abi.encodePacked(r, s, v);
    }

    function testFuzz_signedCall_worksOnceThenReplayFails(uint256 key, address relayer, uint256 index) public {
        key = bound(key, 1, SECP256K1_N - 1);
        index = bound(index, 0, status.LIST_SIZE() - 1);
        address issuer = vm.addr(key);
        bytes memory data = abi.encodeCall(status.revoke, (issuer, 3, index));
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(key, data, 0, deadline, block.chainid);

        vm.prank(relayer);
        status.callWithSignature(issuer, data, 0, deadline, sig);
        (bool revoked, ) = status.statusOf(issuer, 3, index);
        assertTrue(revoked, "relayed revocation applied");

        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, issuer, 1));
        status.callWithSignature(issuer, data, 0, deadline, sig);
    }

    function testFuzz_signedCall_boundToChain(uint256 key, uint64 otherChain) public {
        key = bound(key, 1, SECP256K1_N - 1);
        vm.assume(otherChain != block.chainid && otherChain != 0);
        address issuer = vm.addr(key);
        bytes memory data = abi.encodeCall(status.revoke, (issuer, 0, 1));
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(key, data, 0, deadline, otherChain);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthInvalidSignature.selector, issuer));
        status.callWithSignature(issuer, data, 0, deadline, sig);
    }

    function testFuzz_signedCall_expires(uint256 key, uint256 late) public {
        key = bound(key, 1, SECP256K1_N - 1);
        late = bound(late, 1, 365 days);
        address issuer = vm.addr(key);
        bytes memory data = abi.encodeCall(status.revoke, (issuer, 0, 1));
        uint256 deadline = block.timestamp;
        bytes memory sig = _sign(key, data, 0, deadline, block.chainid);
        vm.warp(deadline + late);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthExpiredSignature.selector, deadline));
        status.callWithSignature(issuer, data, 0, deadline, sig);
    }

    function testFuzz_signedCall_wrongNonce(uint256 key, uint256 nonce) public {
        key = bound(key, 1, SECP256K1_N - 1);
        vm.assume(nonce != 0);
        address issuer = vm.addr(key);
        bytes memory data = abi.encodeCall(status.revoke, (issuer, 0, 1));
        uint256 deadline = block.timestamp + 1;
        bytes memory sig = _sign(key, data, nonce, deadline, block.chainid);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, issuer, 0));
        status.callWithSignature(issuer, data, nonce, deadline, sig);
    }

    /// A valid signature by someone who is not the identity's owner authorises nothing.
    function testFuzz_signedCall_signerMustOwnTheIdentity(uint256 key, address victim) public {
        key = bound(key, 1, SECP256K1_N - 1);
        address signer = vm.addr(key);
        // The relayer (this contract) may act for itself, signature or not.
        vm.assume(victim != signer && victim != address(0) && victim != address(this));
        bytes memory data = abi.encodeCall(status.revoke, (victim, 0, 1));
        uint256 deadline = block.timestamp + 1;
        bytes memory sig = _sign(key, data, 0, deadline, block.chainid);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthUnauthorized.selector, signer, victim));
        status.callWithSignature(signer, data, 0, deadline, sig);
    }

    /// The signed form cannot be nested to reuse one signature for a second call.
    function test_signedCall_cannotNest() public {
        uint256 key = 0xA11CE;
        address issuer = vm.addr(key);
        bytes memory inner = abi.encodeCall(status.revoke, (issuer, 0, 1));
        bytes memory innerSig = _sign(key, inner, 1, block.timestamp + 1, block.chainid);
        bytes memory outer = abi.encodeCall(status.callWithSignature, (issuer, inner, 1, block.timestamp + 1, innerSig));
        bytes memory outerSig = _sign(key, outer, 0, block.timestamp + 1, block.chainid);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthNestedSignedCall.selector));
        status.callWithSignature(issuer, outer, 0, block.timestamp + 1, outerSig);
    }
}
