// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {StatusRegistry} from "../../contracts/StatusRegistry.sol";
import {TrustRegistry} from "../../contracts/TrustRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";
import {IIdentityAuth} from "../../contracts/interfaces/IIdentityAuth.sol";
import {IStatusRegistry} from "../../contracts/interfaces/IStatusRegistry.sol";
import {ERC1271WalletMock} from "./mocks/ERC1271WalletMock.sol";
import {MiniTest} from "./utils/MiniTest.sol";

/// Signature replay beyond the basics of IdentityAuth.t.sol: a signed call is bound to its registry, its deployment,
/// its signer, its data and deadline, the signer's authority at the time it runs, one low-S encoding, and one use.
contract SignatureReplayFuzzTest is MiniTest {
    bytes32 internal constant SIGNED_CALL_TYPEHASH =
        keccak256("SignedCall(address signer,bytes data,uint256 nonce,uint256 deadline)");
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 internal constant GOVERNOR_KEY = 0x60B0;

    EthereumDIDRegistry internal dids;
    StatusRegistry internal status;
    StatusRegistry internal otherStatus;
    TrustRegistry internal trust;

    function setUp() public {
        dids = new EthereumDIDRegistry();
        status = new StatusRegistry(IERC1056(address(dids)));
        otherStatus = new StatusRegistry(IERC1056(address(dids)));
        trust = new TrustRegistry(IERC1056(address(dids)), vm.addr(GOVERNOR_KEY));
    }

    function _digest(string memory name, address verifyingContract, address signer, bytes memory data, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes(name)),
                // Each registry signs under its own contract version: TrustRegistry is at "2".
                keccak256(keccak256(bytes(name)) == keccak256("LER TrustRegistry") ? bytes("2") : bytes("1")),
                block.chainid,
                verifyingContract
            )
        );
        bytes32 structHash = keccak256(abi.encode(SIGNED_CALL_TYPEHASH, signer, keccak256(data), nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _statusSig(uint256 key, bytes memory data, uint256 nonce, uint256 deadline) internal view returns (bytes memory) {
        return _sign(key, _digest("LER StatusRegistry", address(status), vm.addr(key), data, nonce, deadline));
    }

    function testFuzz_signedCall_notReplayableOnTheOtherRegistry(uint256 key) public {
        key = bound(key, 1, SECP256K1_N - 1);
        address signer = vm.addr(key);
        // The same bytes, signed for the status registry, sent to the trust registry.
        bytes memory data = abi.encodeCall(trust.suspend, (signer, 1));
        bytes memory sig = _statusSig(key, data, 0, block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthInvalidSignature.selector, signer));
        trust.callWithSignature(signer, data, 0, block.timestamp + 1, sig);
    }

    function testFuzz_signedCall_notReplayableOnAnotherDeployment(uint256 key, uint256 index) public {
        key = bound(key, 1, SECP256K1_N - 1);
        index = bound(index, 0, status.LIST_SIZE() - 1);
        address issuer = vm.addr(key);
        bytes memory data = abi.encodeCall(status.revoke, (issuer, 0, index));
        bytes memory sig = _statusSig(key, data, 0, block.timestamp + 1);
        status.callWithSignature(issuer, data, 0, block.timestamp + 1, sig);
        // A second deployment (a new version) with the same name, same chain, fresh nonces: still refused.
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthInvalidSignature.selector, issuer));
        otherStatus.callWithSignature(issuer, data, 0, block.timestamp + 1, sig);
    }

    function testFuzz_signedCall_bindsTheSigner(uint256 key, uint256 otherKey) public {
        key = bound(key, 1, SECP256K1_N - 1);
        otherKey = bound(otherKey, 1, SECP256K1_N - 1);
        vm.assume(key != otherKey);
        address claimed = vm.addr(otherKey);
        // Signed by `key`, presented as `claimed`'s call (for `claimed`'s own identity).
        bytes memory data = abi.encodeCall(status.revoke, (claimed, 0, 1));
        bytes memory sig = _sign(key, _digest("LER StatusRegistry", address(status), claimed, data, 0, block.timestamp + 1));
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthInvalidSignature.selector, claimed));
        status.callWithSignature(claimed, data, 0, block.timestamp + 1, sig);
    }

    function testFuzz_signedCall_bindsDataAndDeadline(uint256 key, uint256 index, uint256 extra) public {
        key = bound(key, 1, SECP256K1_N - 1);
        index = bound(index, 0, status.LIST_SIZE() - 2);
        extra = bound(extra, 1, 365 days);
        address issuer = vm.addr(key);
        uint256 deadline = block.timestamp + 1;
        bytes memory sig = _statusSig(key, abi.encodeCall(status.revoke, (issuer, 0, index)), 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthInvalidSignature.selector, issuer));
        status.callWithSignature(issuer, abi.encodeCall(status.revoke, (issuer, 0, index + 1)), 0, deadline, sig);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthInvalidSignature.selector, issuer));
        status.callWithSignature(issuer, abi.encodeCall(status.revoke, (issuer, 0, index)), 0, deadline + extra, sig);
    }

    /// An unused signature of the owner stops working the moment the owner rotates: authority is checked when the
    /// call runs, not when it was signed.
    function testFuzz_signedCall_formerOwnerUnusedSignatureDies(uint256 key, address newOwner, uint256 index) public {
        key = bound(key, 1, SECP256K1_N - 1);
        index = bound(index, 0, status.LIST_SIZE() - 1);
        address issuer = vm.addr(key);
        vm.assume(newOwner != issuer && newOwner != address(0) && newOwner != address(this));
        bytes memory data = abi.encodeCall(status.revokeIndices, (issuer, 2, _one(index)));
        bytes memory sig = _statusSig(key, data, 0, block.timestamp + 1 hours);
        vm.prank(issuer);
        dids.changeOwner(issuer, newOwner);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthUnauthorized.selector, issuer, issuer));
        status.callWithSignature(issuer, data, 0, block.timestamp + 1 hours, sig);
    }

    /// The high-S twin of a valid signature is refused (OpenZeppelin's ECDSA): one signature, one encoding.
    function testFuzz_signedCall_rejectsTheHighSTwin(uint256 key, uint256 index) public {
        key = bound(key, 1, SECP256K1_N - 1);
        index = bound(index, 0, status.LIST_SIZE() - 1);
        address issuer = vm.addr(key);
        bytes memory data = abi.encodeCall(status.revoke, (issuer, 0, index));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest("LER StatusRegistry", address(status), issuer, data, 0, block.timestamp + 1));
        bytes memory twin = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthInvalidSignature.selector, issuer));
        status.callWithSignature(issuer, data, 0, block.timestamp + 1, twin);
    }

    /// Batch writes by signature work once, like single ones.
    function testFuzz_signedBatch_worksOnce(uint256 key, uint256 mask, address relayer) public {
        key = bound(key, 1, SECP256K1_N - 1);
        vm.assume(mask != 0);
        address issuer = vm.addr(key);
        uint256[] memory words = new uint256[](1);
        uint256[] memory masks = new uint256[](1);
        (words[0], masks[0]) = (3, mask);
        bytes memory data = abi.encodeCall(status.revokeWords, (issuer, 4, words, masks));
        bytes memory sig = _statusSig(key, data, 0, block.timestamp + 1);
        vm.prank(relayer);
        status.callWithSignature(issuer, data, 0, block.timestamp + 1, sig);
        assertEq(status.getWords(issuer, IStatusRegistry.Purpose.Revocation, 4, 3, 1)[0], mask, "the batch applied");
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, issuer, 1));
        status.callWithSignature(issuer, data, 0, block.timestamp + 1, sig);
    }

    /// Governance acts by signature too: once, and only the governor's signature carries the role.
    function testFuzz_governorSignedCall_worksOnceAndNoOneElses(uint256 otherKey, address relayer) public {
        otherKey = bound(otherKey, 1, SECP256K1_N - 1);
        vm.assume(otherKey != GOVERNOR_KEY);
        address governor = vm.addr(GOVERNOR_KEY);
        bytes memory data = abi.encodeCall(trust.registerType, ("Degree"));
        uint256 deadline = block.timestamp + 1;
        bytes memory sig = _sign(GOVERNOR_KEY, _digest("LER TrustRegistry", address(trust), governor, data, 0, deadline));
        vm.prank(relayer);
        trust.callWithSignature(governor, data, 0, deadline, sig);
        assertEq(trust.typeCount(), 1, "registered by signature");
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, governor, 1));
        trust.callWithSignature(governor, data, 0, deadline, sig);
        // Anyone else's valid signature for the same call is refused for lack of the role.
        address other = vm.addr(otherKey);
        bytes memory second = abi.encodeCall(trust.registerType, ("Course"));
        bytes memory otherSig = _sign(otherKey, _digest("LER TrustRegistry", address(trust), other, second, 0, deadline));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, other, trust.GOVERNOR_ROLE())
        );
        trust.callWithSignature(other, second, 0, deadline, otherSig);
    }

    /// A contract owner (ERC-1271) authorises once; its signer's signature does not work as the signer's own.
    function testFuzz_erc1271SignedCall_worksOnce(uint256 key, uint256 index) public {
        key = bound(key, 1, SECP256K1_N - 1);
        index = bound(index, 0, status.LIST_SIZE() - 1);
        address eoa = vm.addr(key);
        ERC1271WalletMock wallet = new ERC1271WalletMock(eoa);
        address issuer = address(0x1551e5);
        vm.prank(issuer);
        dids.changeOwner(issuer, address(wallet));
        bytes memory data = abi.encodeCall(status.revoke, (issuer, 0, index));
        uint256 deadline = block.timestamp + 1;
        bytes memory sig = _sign(key, _digest("LER StatusRegistry", address(status), address(wallet), data, 0, deadline));
        status.callWithSignature(address(wallet), data, 0, deadline, sig);
        (bool revoked, ) = status.statusOf(issuer, 0, index);
        assertTrue(revoked, "the wallet's signed call applied");
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, address(wallet), 1));
        status.callWithSignature(address(wallet), data, 0, deadline, sig);
        // The wallet's signer, presenting the same signature as its own, has no authority over the issuer.
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthInvalidSignature.selector, eoa));
        status.callWithSignature(eoa, data, 0, deadline, sig);
    }

    function _one(uint256 index) internal pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = index;
    }
}
