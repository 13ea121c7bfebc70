// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {TrustRegistry} from "../../contracts/TrustRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";
import {ITrustRegistry} from "../../contracts/interfaces/ITrustRegistry.sol";
import {MiniTest} from "./utils/MiniTest.sol";

/// The on-chain version lookup (`chainAt`, a binary search) against a linear scan of `historyOf`, for random
/// histories (changes at random gaps, none included, so that some share a block time) and random times.
contract TrustRegistryHistoryFuzzTest is MiniTest {
    address internal constant GOVERNOR = address(0x60B);
    address internal constant ROOT = address(0x7001);
    address internal constant SUBJECT = address(0x7002);

    TrustRegistry internal trust;

    function setUp() public {
        vm.warp(1_800_000_000);
        EthereumDIDRegistry dids = new EthereumDIDRegistry();
        trust = new TrustRegistry(IERC1056(address(dids)), GOVERNOR);
        vm.startPrank(GOVERNOR);
        for (uint256 t = 0; t < 4; ++t) trust.registerType(string(abi.encodePacked("T", bytes1(uint8(65 + t)))));
        trust.addRoot(ROOT, 0xF, 0, type(uint40).max, "", bytes32(0));
        vm.stopPrank();
        // The subject's owner is the root's (the same key, so consent is the call itself).
        vm.prank(SUBJECT);
        dids.changeOwner(SUBJECT, ROOT);
        vm.prank(ROOT);
        trust.accredit(ROOT, SUBJECT, 3, 0xF, 0, type(uint40).max, "", bytes32(0), 0, "");
    }

    function testFuzz_chainAt_equalsALinearScanOfHistory(uint256 seed, uint256 timeSeed) public {
        uint256 changes = 1 + seed % 24;
        for (uint256 i = 0; i < changes; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // Gaps of 0 (a change replaces the one before in the same block time), 1 second, or up to a day.
            uint256 gap = r % 3 == 0 ? 0 : r % 3 == 1 ? 1 : (r >> 8) % 1 days;
            vm.warp(block.timestamp + gap);
            _change(i % 2 == 0 ? SUBJECT : ROOT, r >> 32);
        }
        ITrustRegistry.LinkHistory[] memory history = trust.historyOf(SUBJECT);
        assertEq(history.length, 2, "subject and root");
        uint256 first = history[1].versions[0] >> 208;
        for (uint256 k = 0; k < 16; ++k) {
            uint256 r = uint256(keccak256(abi.encode(timeSeed, k)));
            // A change's own time, the second before or after it, or any time around the history.
            uint256 at;
            uint256 link = r % 2;
            uint256[] memory vs = history[link].versions;
            if (r % 4 < 3) at = (vs[(r >> 8) % vs.length] >> 208) + ((r >> 16) % 3) - 1;
            else at = first - 10 + (r >> 8) % (block.timestamp - first + 20);
            ITrustRegistry.LinkAt[] memory chain = trust.chainAt(SUBJECT, at);
            assertEq(chain.length, 2, "chainAt has both links");
            for (uint256 l = 0; l < 2; ++l) {
                assertEq(_pack(chain[l].current), _scan(history[l].versions, at), "current is the last version at or before");
                assertEq(_pack(chain[l].before), at == 0 ? 0 : _scan(history[l].versions, at - 1), "before is the one a second earlier");
                assertEq(_pack(chain[l].latest), history[l].versions[history[l].versions.length - 1] & ((1 << 208) - 1), "latest");
                assertEq(uint160(chain[l].subject), uint160(history[l].subject), "same subject");
            }
        }
        // Keys strictly increase: one version per block time.
        for (uint256 l = 0; l < 2; ++l) {
            for (uint256 i = 1; i < history[l].versions.length; ++i) {
                assertTrue(history[l].versions[i] >> 208 > history[l].versions[i - 1] >> 208, "since strictly increases");
            }
        }
    }

    /// One change to `who`: an update (scope up or down), a suspension or reinstatement, or a revocation (moved
    /// earlier when repeated). Refusals (a revoked link) are fine: the history is what it is.
    function _change(address who, uint256 r) internal {
        (,, ITrustRegistry.Version memory v) = trust.accreditationOf(who);
        bool root = who == ROOT;
        vm.prank(root ? GOVERNOR : ROOT);
        uint256 op = r % 5;
        if (v.status == ITrustRegistry.Status.Revoked) {
            if (v.validUntil > 1) try trust.revoke(who, v.validUntil - 1, 1) {} catch {}
            return;
        }
        if (op <= 1) {
            uint256 scope = 1 + (r >> 8) % 15;
            try trust.update(who, root ? 2 : uint8(1 + (r >> 16) % 3), scope, 0, uint40(block.timestamp + 10 days), uint8(r >> 24), "", bytes32(0)) {} catch {}
        } else if (op == 2) {
            try trust.suspend(who, 2) {} catch {}
        } else if (op == 3) {
            try trust.reinstate(who, 3) {} catch {}
        } else if (r % 23 == 0) {
            try trust.revoke(who, uint40(block.timestamp - (r >> 8) % 1000), 4) {} catch {}
        }
    }

    /// The last version at or before `at`, by a linear scan (0: none).
    function _scan(uint256[] memory versions, uint256 at) internal pure returns (uint256 found) {
        for (uint256 i = 0; i < versions.length; ++i) {
            if (versions[i] >> 208 <= at) found = versions[i] & ((1 << 208) - 1);
        }
    }

    function _pack(ITrustRegistry.Version memory v) internal pure returns (uint256) {
        return (uint256(uint8(v.status)) << 202) | (uint256(v.role) << 200) | (uint256(v.reason) << 192)
            | (uint256(v.validUntil) << 152) | (uint256(v.validFrom) << 112) | v.scope;
    }
}
