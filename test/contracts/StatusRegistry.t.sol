// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {StatusRegistry} from "../../contracts/StatusRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";
import {IIdentityAuth} from "../../contracts/interfaces/IIdentityAuth.sol";
import {IStatusRegistry} from "../../contracts/interfaces/IStatusRegistry.sol";
import {MiniTest} from "./utils/MiniTest.sol";

/// Fuzz tests of the status registry against the real ERC-1056 registry.
contract StatusRegistryFuzzTest is MiniTest {
    EthereumDIDRegistry internal dids;
    StatusRegistry internal status;
    uint256 internal listSize;

    address internal constant ISSUER = address(0x1551e5);

    function setUp() public {
        dids = new EthereumDIDRegistry();
        status = new StatusRegistry(IERC1056(address(dids)));
        listSize = status.LIST_SIZE();
    }

    function testFuzz_revoke_setsExactlyOneBit(uint256 list, uint256 index) public {
        list = bound(list, 0, type(uint64).max);
        index = bound(index, 0, listSize - 1);
        vm.prank(ISSUER);
        status.revoke(ISSUER, list, index);
        (bool revoked, bool suspended) = status.statusOf(ISSUER, list, index);
        assertTrue(revoked && !suspended, "revoked, not suspended");
        uint256[] memory word = status.getWords(ISSUER, IStatusRegistry.Purpose.Revocation, list, index >> 8, 1);
        assertEq(word[0], uint256(1) << (index & 0xff), "only that bit");
    }

    function testFuzz_revoke_rejectsStrangers(address caller, uint256 index) public {
        vm.assume(caller != ISSUER);
        index = bound(index, 0, listSize - 1);
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthUnauthorized.selector, caller, ISSUER));
        status.revoke(ISSUER, 0, index);
    }

    function testFuzz_revoke_rejectsIndicesPastTheEnd(uint256 index) public {
        index = bound(index, listSize, type(uint256).max);
        vm.prank(ISSUER);
        vm.expectRevert(
            abi.encodeWithSelector(IStatusRegistry.StatusRegistryIndexOutOfRange.selector, index, listSize)
        );
        status.revoke(ISSUER, 0, index);
    }

    function testFuzz_revokeWords_neverClearsBits(uint256 word, uint256 first, uint256 second) public {
        word = bound(word, 0, listSize / 256 - 1);
        uint256[] memory words = new uint256[](1);
        uint256[] memory masks = new uint256[](1);
        words[0] = word;
        masks[0] = first;
        vm.startPrank(ISSUER);
        status.revokeWords(ISSUER, 7, words, masks);
        masks[0] = second;
        status.revokeWords(ISSUER, 7, words, masks);
        vm.stopPrank();
        uint256[] memory got = status.getWords(ISSUER, IStatusRegistry.Purpose.Revocation, 7, word, 1);
        assertEq(got[0], first | second, "revocation words only accumulate");
    }

    function testFuzz_suspension_isReversibleAndIndependentOfRevocation(uint256 index, bool alsoRevoke) public {
        index = bound(index, 0, listSize - 1);
        vm.startPrank(ISSUER);
        if (alsoRevoke) status.revoke(ISSUER, 1, index);
        status.suspend(ISSUER, 1, index);
        status.reinstate(ISSUER, 1, index);
        vm.stopPrank();
        (bool revoked, bool suspended) = status.statusOf(ISSUER, 1, index);
        assertTrue(revoked == alsoRevoke && !suspended, "reinstate clears suspension only");
    }

    function testFuzz_revokeHash_firstTimeWins(bytes32 credentialHash, uint256 later) public {
        vm.assume(credentialHash != bytes32(0));
        later = bound(later, 1, 10 * 365 days);
        vm.prank(ISSUER);
        status.revokeHash(ISSUER, credentialHash);
        uint256 first = status.hashRevokedAt(ISSUER, credentialHash);
        vm.warp(block.timestamp + later);
        vm.prank(ISSUER);
        status.revokeHash(ISSUER, credentialHash);
        assertEq(status.hashRevokedAt(ISSUER, credentialHash), first, "time of first revocation kept");
    }

    function testFuzz_hashesRevokedAt_matchesSingleReads(bytes32[] memory hashes, uint256 revokedMask) public {
        if (hashes.length > 16) assembly { mstore(hashes, 16) }
        for (uint256 i = 0; i < hashes.length; ++i) {
            if (hashes[i] == bytes32(0) || (revokedMask >> i) & 1 == 0) continue;
            vm.prank(ISSUER);
            status.revokeHash(ISSUER, hashes[i]);
        }
        uint256[] memory times = status.hashesRevokedAt(ISSUER, hashes);
        uint256[] memory others = status.hashesRevokedAt(address(0xBEEF), hashes);
        assertEq(times.length, hashes.length, "one answer per hash");
        for (uint256 i = 0; i < hashes.length; ++i) {
            assertEq(times[i], status.hashRevokedAt(ISSUER, hashes[i]), "batch read equals the single read");
            assertEq(others[i], 0, "another issuer's hashes are its own");
        }
    }

    function testFuzz_anchor_isOncePerRoot(bytes32 root) public {
        vm.assume(root != bytes32(0));
        vm.prank(ISSUER);
        status.anchor(ISSUER, root);
        IStatusRegistry.Anchor memory a = status.anchorOf(ISSUER, root);
        assertEq(a.timestamp, block.timestamp, "anchored now");
        vm.prank(ISSUER);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStatusRegistry.StatusRegistryAlreadyAnchored.selector, ISSUER, root, uint64(block.timestamp)
            )
        );
        status.anchor(ISSUER, root);
    }

    function testFuzz_ownerRotation_movesThePower(address newOwner, uint256 index) public {
        vm.assume(newOwner != ISSUER && newOwner != address(0));
        index = bound(index, 0, listSize - 1);
        vm.prank(ISSUER);
        dids.changeOwner(ISSUER, newOwner);
        vm.prank(ISSUER);
        vm.expectRevert(abi.encodeWithSelector(IIdentityAuth.IdentityAuthUnauthorized.selector, ISSUER, ISSUER));
        status.revoke(ISSUER, 0, index);
        vm.prank(newOwner);
        status.revoke(ISSUER, 0, index);
        (bool revoked, ) = status.statusOf(ISSUER, 0, index);
        assertTrue(revoked, "new owner revoked");
    }
}
