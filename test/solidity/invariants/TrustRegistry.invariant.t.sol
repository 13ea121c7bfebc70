// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {TrustRegistry} from "../../../contracts/TrustRegistry.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";
import {ITrustRegistry} from "../../../contracts/interfaces/ITrustRegistry.sol";
import {MiniTest, Vm} from "../utils/MiniTest.sol";

/// Drives the trust registry with random lifecycle calls from random senders over a small population, so that
/// escalations, cycles and strangers' calls are tried often.
contract TrustHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 public constant TYPES = 6;
    uint256 public constant POPULATION = 8;

    EthereumDIDRegistry public immutable dids;
    TrustRegistry public immutable trust;
    address public immutable governor;
    address[POPULATION] public people;

    uint256 public unauthorizedSuccesses;
    uint256 public revocationsUndone;
    // Writes that left a subject's stored scope wider than its parent's stored scope at that moment (or, for a
    // root, wider than the registered types).
    uint256 public escalations;
    mapping(address => bool) public everRevoked;
    uint256 public successes;

    constructor(EthereumDIDRegistry dids_, TrustRegistry trust_, address governor_) {
        (dids, trust, governor) = (dids_, trust_, governor_);
        for (uint256 i = 0; i < POPULATION; ++i) people[i] = address(uint160(0x7000 + i));
    }

    function accredit(uint256 actorSeed, uint256 parentSeed, uint256 subjectSeed, uint8 role, uint256 scope, uint40 from, uint40 until)
        external
    {
        address parent = people[parentSeed % POPULATION];
        address subject = people[subjectSeed % POPULATION];
        role = uint8(role % 4);
        scope = scope % (1 << (TYPES + 1)); // sometimes names an unregistered type
        bool ok = _call(_actor(actorSeed, parent), parent, abi.encodeCall(trust.accredit, (parent, subject, role, scope, from, until, "", bytes32(0))));
        if (ok) _recordScope(subject);
    }

    function update(uint256 actorSeed, uint256 subjectSeed, uint8 role, uint256 scope, uint40 from, uint40 until) external {
        address subject = people[subjectSeed % POPULATION];
        address parent = trust.accreditationOf(subject).parent;
        role = uint8(role % 4);
        scope = scope % (1 << (TYPES + 1));
        bool ok = _call(_actor(actorSeed, parent), parent, abi.encodeCall(trust.update, (subject, role, scope, from, until, 1, "", bytes32(0))));
        if (ok) _recordScope(subject);
    }

    /// Right after a write, the subject's stored scope must lie within its parent's stored scope.
    function _recordScope(address subject) internal {
        ITrustRegistry.Link[] memory chain = trust.chainOf(subject);
        uint256 scope = chain[0].accreditation.scope;
        uint256 limit = chain.length > 1 ? chain[1].accreditation.scope : (1 << TYPES) - 1;
        if (scope & ~limit != 0) escalations++;
    }

    function suspend(uint256 actorSeed, uint256 subjectSeed) external {
        address subject = people[subjectSeed % POPULATION];
        address parent = trust.accreditationOf(subject).parent;
        _call(_actor(actorSeed, parent), parent, abi.encodeCall(trust.suspend, (subject, 2)));
    }

    function reinstate(uint256 actorSeed, uint256 subjectSeed) external {
        address subject = people[subjectSeed % POPULATION];
        address parent = trust.accreditationOf(subject).parent;
        _call(_actor(actorSeed, parent), parent, abi.encodeCall(trust.reinstate, (subject, 3)));
    }

    function revoke(uint256 actorSeed, uint256 subjectSeed, uint40 ago) external {
        address subject = people[subjectSeed % POPULATION];
        address parent = trust.accreditationOf(subject).parent;
        uint40 effectiveAt = uint40(block.timestamp) - uint40(bound(ago, 0, 1000));
        bool ok = _call(_actor(actorSeed, parent), parent, abi.encodeCall(trust.revoke, (subject, effectiveAt, 4)));
        if (ok) everRevoked[subject] = true;
    }

    function rotateOwner(uint256 who, uint256 toWho) external {
        address identity = people[who % POPULATION];
        address newOwner = people[toWho % POPULATION];
        vm.prank(dids.identityOwner(identity));
        dids.changeOwner(identity, newOwner);
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + bound(secondsAhead, 0, 30 days));
    }

    /// Half of the calls come from the rightful sender, half from anyone in the population.
    function _actor(uint256 seed, address parent) internal view returns (address) {
        if (seed % 2 == 0) return parent == address(0) ? governor : dids.identityOwner(parent);
        return (seed / 2) % 3 == 0 ? governor : people[(seed / 2) % POPULATION];
    }

    function _call(address actor, address parent, bytes memory data) internal returns (bool ok) {
        bool authorized = parent == address(0) ? actor == governor : dids.identityOwner(parent) == actor;
        vm.prank(actor);
        (ok, ) = address(trust).call(data);
        if (ok) successes++;
        if (ok && !authorized) unauthorizedSuccesses++;
        for (uint256 i = 0; i < POPULATION; ++i) {
            if (everRevoked[people[i]] && trust.accreditationOf(people[i]).status != ITrustRegistry.Status.Revoked) {
                revocationsUndone++;
            }
        }
    }

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}

/// Invariants over the whole accreditation forest.
contract TrustRegistryInvariantTest is MiniTest {
    address internal constant GOVERNOR = address(0x60B);
    TrustRegistry internal trust;
    TrustHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        EthereumDIDRegistry dids = new EthereumDIDRegistry();
        trust = new TrustRegistry(IERC1056(address(dids)), GOVERNOR);
        handler = new TrustHandler(dids, trust, GOVERNOR);
        vm.startPrank(GOVERNOR);
        for (uint256 t = 0; t < handler.TYPES(); ++t) trust.registerType(string(abi.encodePacked("T", bytes1(uint8(65 + t)))));
        // Two roots with overlapping scopes; the rest of the population starts unaccredited.
        trust.addRoot(handler.people(0), 0x0f, 0, type(uint40).max, "", bytes32(0));
        trust.addRoot(handler.people(1), 0x3c, 0, type(uint40).max, "", bytes32(0));
        vm.stopPrank();
        targetContract(address(handler));
    }

    /// No write gives a subject a type its parent lacks.
    function invariant_noScopeEscalation() public view {
        assertEq(handler.escalations(), 0, "a subject was given a type its parent lacks");
    }

    /// Whoever is trusted for a type now holds it on every link up to a root, and every link is in force.
    function invariant_trustImpliesWholeChain() public view {
        for (uint256 i = 0; i < handler.POPULATION(); ++i) {
            address subject = handler.people(i);
            for (uint256 t = 0; t < handler.TYPES(); ++t) {
                (ITrustRegistry.Verdict verdict, , address root) = trust.trustedAt(subject, t, block.timestamp);
                if (verdict != ITrustRegistry.Verdict.Trusted) continue;
                ITrustRegistry.Link[] memory chain = trust.chainOf(subject);
                assertEq(uint160(chain[chain.length - 1].subject), uint160(root), "chain ends at the root");
                assertEq(uint160(chain[chain.length - 1].accreditation.parent), 0, "root has no parent");
                for (uint256 l = 0; l < chain.length; ++l) {
                    ITrustRegistry.Accreditation memory a = chain[l].accreditation;
                    assertTrue((uint256(a.scope) >> t) & 1 == 1, "a link lacks the type");
                    assertTrue(a.status == ITrustRegistry.Status.Active, "a link is not active");
                    assertTrue(a.validFrom <= block.timestamp && block.timestamp < a.validUntil, "a link is out of date");
                }
            }
        }
    }

    /// The graph stays a forest of bounded depth: every chain ends at a root within MAX_DEPTH links.
    function invariant_noCyclesAndBoundedDepth() public view {
        for (uint256 i = 0; i < handler.POPULATION(); ++i) {
            ITrustRegistry.Link[] memory chain = trust.chainOf(handler.people(i));
            if (chain.length == 0) continue;
            assertTrue(chain.length <= trust.MAX_DEPTH() + 1, "chain too long");
            assertEq(uint160(chain[chain.length - 1].accreditation.parent), 0, "chain does not end at a root");
            assertEq(chain[0].accreditation.depth, chain.length - 1, "depth matches the chain");
        }
    }

    function invariant_onlyParentsWrite() public view {
        assertEq(handler.unauthorizedSuccesses(), 0, "a change succeeded without the parent's owner");
    }

    function invariant_revocationIsTerminal() public view {
        assertEq(handler.revocationsUndone(), 0, "a revoked accreditation changed status");
    }
}
