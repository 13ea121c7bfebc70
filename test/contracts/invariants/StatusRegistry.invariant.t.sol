// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {StatusRegistry} from "../../../contracts/StatusRegistry.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";
import {IStatusRegistry} from "../../../contracts/interfaces/IStatusRegistry.sol";
import {MiniTest, Vm} from "../utils/MiniTest.sol";

/// Drives the status registry with random writes from random senders, owners rotating in between, and keeps a
/// model of what each issuer's owner wrote. Words are drawn from a small set so that writes collide.
contract StatusHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    EthereumDIDRegistry public immutable dids;
    StatusRegistry public immutable status;

    address[3] public issuers = [address(0xA11CE), address(0xB0B), address(0xCA201)];
    address[5] public actors = [address(0xA11CE), address(0xB0B), address(0xCA201), address(0xD00D), address(0xE11E)];

    uint256 public constant LISTS = 2;
    uint256 public constant WORDS = 3;

    // What the model says each word holds: [issuer][purpose][list][word].
    mapping(uint256 => mapping(uint256 => mapping(uint256 => mapping(uint256 => uint256)))) public expected;
    // Writes that succeeded although the sender was not the issuer's owner at the time.
    uint256 public unauthorizedSuccesses;
    uint256 public writes;
    // Revocation words as seen after the previous call, and how often one of their bits was found cleared.
    mapping(uint256 => mapping(uint256 => mapping(uint256 => uint256))) public lastRevocation;
    uint256 public revocationClears;

    constructor(EthereumDIDRegistry dids_, StatusRegistry status_) {
        dids = dids_;
        status = status_;
    }

    function writeWord(uint256 actorSeed, uint256 issuerSeed, uint256 purposeSeed, uint256 list, uint256 word, uint256 mask, bool set)
        external
    {
        address actor = actors[actorSeed % actors.length];
        uint256 i = issuerSeed % issuers.length;
        address issuer = issuers[i];
        uint256 purpose = purposeSeed % 2;
        list %= LISTS;
        word %= WORDS;
        // Revocation words cannot be cleared: there is no function for it. Clearing applies to suspension.
        if (!set) purpose = uint256(IStatusRegistry.Purpose.Suspension);
        bool authorized = dids.identityOwner(issuer) == actor;

        uint256[] memory words = new uint256[](1);
        uint256[] memory masks = new uint256[](1);
        (words[0], masks[0]) = (word, mask);
        vm.prank(actor);
        bool ok;
        if (purpose == 0) {
            (ok, ) = address(status).call(abi.encodeCall(status.revokeWords, (issuer, list, words, masks)));
        } else if (set) {
            (ok, ) = address(status).call(abi.encodeCall(status.suspendWords, (issuer, list, words, masks)));
        } else {
            (ok, ) = address(status).call(abi.encodeCall(status.reinstateWords, (issuer, list, words, masks)));
        }
        if (ok && !authorized) unauthorizedSuccesses++;
        if (ok) {
            writes++;
            uint256 old = expected[i][purpose][list][word];
            expected[i][purpose][list][word] = set ? old | mask : old & ~mask;
        }
        _recordRevocations();
    }

    function writeIndex(uint256 actorSeed, uint256 issuerSeed, uint256 op, uint256 list, uint256 index) external {
        address actor = actors[actorSeed % actors.length];
        uint256 i = issuerSeed % issuers.length;
        address issuer = issuers[i];
        list %= LISTS;
        index %= WORDS * 256;
        op %= 3;
        bool authorized = dids.identityOwner(issuer) == actor;
        vm.prank(actor);
        bool ok;
        if (op == 0) (ok, ) = address(status).call(abi.encodeCall(status.revoke, (issuer, list, index)));
        else if (op == 1) (ok, ) = address(status).call(abi.encodeCall(status.suspend, (issuer, list, index)));
        else (ok, ) = address(status).call(abi.encodeCall(status.reinstate, (issuer, list, index)));
        if (ok && !authorized) unauthorizedSuccesses++;
        if (ok) {
            writes++;
            uint256 purpose = op == 0 ? 0 : 1;
            uint256 bit = uint256(1) << (index & 0xff);
            uint256 old = expected[i][purpose][list][index >> 8];
            expected[i][purpose][list][index >> 8] = op == 2 ? old & ~bit : old | bit;
        }
        _recordRevocations();
    }

    /// The current owner hands the identity to another actor (or back to itself).
    function rotateOwner(uint256 issuerSeed, uint256 newOwnerSeed) external {
        address issuer = issuers[issuerSeed % issuers.length];
        address newOwner = actors[newOwnerSeed % actors.length];
        vm.prank(dids.identityOwner(issuer));
        dids.changeOwner(issuer, newOwner);
        _recordRevocations();
    }

    /// Compares every revocation word with the previous call's: a bit that was set must still be set. The check
    /// lives here, not in the invariant, because state an invariant function writes is not kept between runs.
    function _recordRevocations() internal {
        for (uint256 i = 0; i < issuers.length; ++i) {
            for (uint256 list = 0; list < LISTS; ++list) {
                uint256[] memory words =
                    status.getWords(issuers[i], IStatusRegistry.Purpose.Revocation, list, 0, WORDS);
                for (uint256 w = 0; w < WORDS; ++w) {
                    uint256 before = lastRevocation[i][list][w];
                    if (words[w] & before != before) revocationClears++;
                    lastRevocation[i][list][w] = words[w];
                }
            }
        }
    }
}

/// Invariants: no status bit of an issuer changes without that issuer's owner; revocation bits never return to 0.
contract StatusRegistryInvariantTest is MiniTest {
    StatusRegistry internal status;
    StatusHandler internal handler;

    function setUp() public {
        EthereumDIDRegistry dids = new EthereumDIDRegistry();
        status = new StatusRegistry(IERC1056(address(dids)));
        handler = new StatusHandler(dids, status);
        targetContract(address(handler));
    }

    function invariant_onlyOwnersWrite() public view {
        assertEq(handler.unauthorizedSuccesses(), 0, "a write succeeded without the issuer's owner");
    }

    function invariant_registryMatchesWhatOwnersWrote() public view {
        for (uint256 i = 0; i < 3; ++i) {
            address issuer = handler.issuers(i);
            for (uint256 purpose = 0; purpose < 2; ++purpose) {
                for (uint256 list = 0; list < handler.LISTS(); ++list) {
                    uint256[] memory words =
                        status.getWords(issuer, IStatusRegistry.Purpose(purpose), list, 0, handler.WORDS());
                    for (uint256 w = 0; w < words.length; ++w) {
                        assertEq(words[w], handler.expected(i, purpose, list, w), "word differs from the model");
                    }
                }
            }
        }
    }

    function invariant_revocationBitsNeverClear() public view {
        assertEq(handler.revocationClears(), 0, "a revocation bit returned to 0");
    }
}
