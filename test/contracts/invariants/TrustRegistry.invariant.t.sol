// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {TrustRegistry} from "../../../contracts/TrustRegistry.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";
import {ITrustRegistry} from "../../../contracts/interfaces/ITrustRegistry.sol";
import {MiniTest, Vm} from "../utils/MiniTest.sol";

/// Drives the trust registry with random lifecycle calls from random senders over a small population (each subject
/// consenting by signature), so that escalations, cycles and strangers' calls are tried often.
contract TrustHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 public constant TYPES = 6;
    uint256 public constant POPULATION = 8;
    bytes32 internal constant CONSENT_TYPEHASH = keccak256(
        "AccreditationConsent(address parent,address subject,uint8 role,uint256 scope,uint40 validFrom,uint40 validUntil,bytes32 metadataHash,uint256 deadline)"
    );

    EthereumDIDRegistry public immutable dids;
    TrustRegistry public immutable trust;
    address public immutable governor;
    address[POPULATION] public people;

    // Writes that left a subject's scope wider than its parent's at that moment (or, for a root, the registered types).
    uint256 public escalations;
    uint256 public revocationsUndone;
    uint256 public historyRewritten;
    uint256 public successes;
    mapping(address subject => bool) public everRevoked;
    mapping(address subject => uint256 count) internal seenCount;
    mapping(address subject => bytes32 hash) internal seenPrefix;

    constructor(EthereumDIDRegistry dids_, TrustRegistry trust_, address governor_) {
        (dids, trust, governor) = (dids_, trust_, governor_);
        for (uint256 i = 0; i < POPULATION; ++i) people[i] = vm.addr(0x7000 + i);
    }

    function accredit(uint256 actorSeed, uint256 parentSeed, uint256 subjectSeed, uint8 role, uint256 scope, uint40 from, uint40 until)
        external
    {
        address parent = people[parentSeed % POPULATION];
        uint256 s = subjectSeed % POPULATION;
        address subject = people[s];
        role = uint8(role % 4);
        scope = scope % (1 << (TYPES + 1)); // sometimes names an unregistered type
        uint256 deadline = block.timestamp;
        bytes memory consent = _consent(0x7000 + s, parent, subject, role, scope, from, until, deadline);
        if (_call(_actor(actorSeed, parent), abi.encodeCall(trust.accredit, (parent, subject, role, scope, from, until, "", bytes32(0), deadline, consent)))) {
            _recordScope(subject);
        }
    }

    function update(uint256 actorSeed, uint256 subjectSeed, uint8 role, uint256 scope, uint40 from, uint40 until) external {
        address subject = people[subjectSeed % POPULATION];
        (address parent,,) = trust.accreditationOf(subject);
        role = uint8(role % 4);
        scope = scope % (1 << (TYPES + 1));
        if (_call(_actor(actorSeed, parent), abi.encodeCall(trust.update, (subject, role, scope, from, until, 1, "", bytes32(0))))) {
            _recordScope(subject);
        }
    }

    function suspend(uint256 actorSeed, uint256 subjectSeed) external {
        address subject = people[subjectSeed % POPULATION];
        (address parent,,) = trust.accreditationOf(subject);
        _call(_actor(actorSeed, parent), abi.encodeCall(trust.suspend, (subject, 2)));
    }

    function reinstate(uint256 actorSeed, uint256 subjectSeed) external {
        address subject = people[subjectSeed % POPULATION];
        (address parent,,) = trust.accreditationOf(subject);
        _call(_actor(actorSeed, parent), abi.encodeCall(trust.reinstate, (subject, 3)));
    }

    function revoke(uint256 actorSeed, uint256 subjectSeed, uint40 ago) external {
        address subject = people[subjectSeed % POPULATION];
        (address parent,,) = trust.accreditationOf(subject);
        uint40 effectiveAt = uint40(block.timestamp) - uint40(ago % 1000);
        if (_call(_actor(actorSeed, parent), abi.encodeCall(trust.revoke, (subject, effectiveAt, 4)))) everRevoked[subject] = true;
    }

    function rotateOwner(uint256 who, uint256 toWho) external {
        address identity = people[who % POPULATION];
        vm.prank(dids.identityOwner(identity));
        dids.changeOwner(identity, people[toWho % POPULATION]);
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + (secondsAhead % 3 == 0 ? 0 : secondsAhead % 30 days));
    }

    /// Right after a write, the subject's scope must lie within its parent's scope.
    function _recordScope(address subject) internal {
        ITrustRegistry.LinkAt[] memory chain = trust.chainAt(subject, block.timestamp);
        uint256 scope = chain[0].latest.scope;
        uint256 limit = chain.length > 1 ? chain[1].latest.scope : (1 << TYPES) - 1;
        if (scope & ~limit != 0) escalations++;
    }

    /// Half of the calls come from the parent's owner (governance for a root), the rest from anyone.
    function _actor(uint256 seed, address parent) internal view returns (address) {
        if (seed % 2 == 0) return parent == address(0) ? governor : dids.identityOwner(parent);
        return (seed / 2) % 3 == 0 ? governor : people[(seed / 2) % POPULATION];
    }

    function _call(address actor, bytes memory data) internal returns (bool ok) {
        vm.prank(actor);
        (ok,) = address(trust).call(data);
        if (ok) successes++;
        for (uint256 i = 0; i < POPULATION; ++i) {
            address p = people[i];
            (,, ITrustRegistry.Version memory v) = trust.accreditationOf(p);
            if (everRevoked[p] && v.status != ITrustRegistry.Status.Revoked) revocationsUndone++;
            // Every version but the last stays as it was; the last may only be replaced within its own block time.
            ITrustRegistry.LinkHistory[] memory h = trust.historyOf(p);
            uint256 n = h.length == 0 ? 0 : h[0].versions.length;
            if (n < seenCount[p]) historyRewritten++;
            if (n >= 2 && seenCount[p] >= 2) {
                bytes32 prefix = _prefix(h[0].versions, seenCount[p] - 1);
                if (prefix != seenPrefix[p]) historyRewritten++;
            }
            if (n >= 1) (seenCount[p], seenPrefix[p]) = (n, _prefix(h[0].versions, n - 1));
        }
    }

    function _prefix(uint256[] memory versions, uint256 n) internal pure returns (bytes32 hash) {
        for (uint256 i = 0; i < n; ++i) hash = keccak256(abi.encode(hash, versions[i]));
    }

    function _consent(
        uint256 key,
        address parent,
        address subject,
        uint8 role,
        uint256 scope,
        uint40 from,
        uint40 until,
        uint256 deadline
    ) internal view returns (bytes memory) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("LER TrustRegistry"),
                keccak256("2"),
                block.chainid,
                address(trust)
            )
        );
        bytes32 structHash =
            keccak256(abi.encode(CONSENT_TYPEHASH, parent, subject, role, scope, from, until, bytes32(0), deadline));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        return abi.encodePacked(r, s, v);
    }
}

/// Structural invariants over the whole accreditation forest.
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

    /// Whoever is trusted for a type now holds it on every link up to a root, and every link is in force now.
    function invariant_trustImpliesWholeChain() public view {
        for (uint256 i = 0; i < handler.POPULATION(); ++i) {
            address subject = handler.people(i);
            for (uint256 t = 0; t < handler.TYPES(); ++t) {
                (ITrustRegistry.Verdict verdict,, address root) = trust.trustedAt(subject, t, block.timestamp);
                if (verdict != ITrustRegistry.Verdict.Trusted) continue;
                ITrustRegistry.LinkAt[] memory chain = trust.chainAt(subject, block.timestamp);
                assertEq(uint160(chain[chain.length - 1].subject), uint160(root), "chain ends at the root");
                assertEq(uint160(chain[chain.length - 1].parent), 0, "root has no parent");
                for (uint256 l = 0; l < chain.length; ++l) {
                    ITrustRegistry.Version memory a = chain[l].current;
                    assertTrue((uint256(a.scope) >> t) & 1 == 1, "a link lacks the type");
                    assertTrue(a.status == ITrustRegistry.Status.Active, "a link is not active");
                    assertTrue(chain[l].latest.status == ITrustRegistry.Status.Active, "a link is not active now");
                    assertTrue(a.validFrom <= block.timestamp && block.timestamp < a.validUntil, "a link is out of date");
                }
            }
        }
    }

    /// The graph stays a forest of bounded depth: every chain ends at a root within MAX_DEPTH links.
    function invariant_noCyclesAndBoundedDepth() public view {
        for (uint256 i = 0; i < handler.POPULATION(); ++i) {
            ITrustRegistry.LinkHistory[] memory chain = trust.historyOf(handler.people(i));
            if (chain.length == 0) continue;
            assertTrue(chain.length <= trust.MAX_DEPTH() + 1, "chain too long");
            assertEq(uint160(chain[chain.length - 1].parent), 0, "chain does not end at a root");
        }
    }

    function invariant_revocationIsTerminal() public view {
        assertEq(handler.revocationsUndone(), 0, "a revoked accreditation changed status");
    }

    function invariant_historyIsAppendOnly() public view {
        assertEq(handler.historyRewritten(), 0, "a past version was rewritten or removed");
    }
}
