// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {TrustRegistry} from "../../../contracts/TrustRegistry.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";
import {ITrustRegistry} from "../../../contracts/interfaces/ITrustRegistry.sol";
import {MiniTest, Vm} from "../utils/MiniTest.sol";

/// Drives every write of the trust registry (governance's too), sent directly or as signed calls relayed by anyone,
/// by actors who hold keys, with owners rotating and time passing. Records what authority each success needed.
contract TrustModelHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    bytes32 private constant SIGNED_CALL_TYPEHASH =
        keccak256("SignedCall(address signer,bytes data,uint256 nonce,uint256 deadline)");

    uint256 public constant PEOPLE = 6;
    uint256 public constant TYPES = 4;
    uint256 public constant GOVERNOR_KEY = 0x60B0;
    // accredit (weighted: the forest must grow), update, suspend, reinstate, revoke, registerType, addRoot
    uint256 internal constant OPS = 10;

    EthereumDIDRegistry public immutable dids;
    TrustRegistry public immutable trust;
    address public immutable governor;
    address[PEOPLE] public people;
    uint256[PEOPLE] internal keys;

    uint256 public unauthorizedSuccesses;
    uint256 public signedSuccesses;
    uint256 public successes;
    // The effective time of each revocation (0: not revoked), and the revoked subjects in order.
    mapping(address subject => uint40 effectiveAt) public revokedFrom;
    address[] public revoked;

    constructor(EthereumDIDRegistry dids_, TrustRegistry trust_) {
        (dids, trust) = (dids_, trust_);
        governor = vm.addr(GOVERNOR_KEY);
        for (uint256 i = 0; i < PEOPLE; ++i) {
            keys[i] = 0x1001 + i;
            people[i] = vm.addr(keys[i]);
        }
    }

    function revokedCount() external view returns (uint256) {
        return revoked.length;
    }

    struct Call {
        bytes data;
        // Who may make it: governance (a role checked on the sender, or on the signer of a signed call), or the
        // ERC-1056 owner of an identity (the sender, or the signer).
        bool governance;
        address identity;
        bool isRevoke;
    }

    /// One write by actor `actorSeed` (PEOPLE means the governor), directly or signed and relayed by `relayerSeed`.
    function write(
        uint256 actorSeed,
        uint256 op,
        uint256 aSeed,
        uint256 bSeed,
        uint8 role,
        uint256 scope,
        uint40 from,
        uint40 until,
        bool viaSignature,
        uint256 relayerSeed
    ) external {
        op %= OPS;
        (address a, address b) = _parties(op, aSeed, bSeed);
        _execute(_call(op, a, b, role, scope, from, until), actorSeed, people[relayerSeed % PEOPLE], viaSignature);
    }

    /// Half the time the parties are ones the call can apply to: an active accreditor as the parent, an unaccredited
    /// subject for accredit, an accredited one for the rest; else anyone.
    function _parties(uint256 op, uint256 aSeed, uint256 bSeed) internal view returns (address a, address b) {
        if (aSeed % 2 != 0) return (people[aSeed % PEOPLE], people[bSeed % PEOPLE]);
        a = _pick(aSeed / 2, true);
        b = op >= 4 && op <= 7 ? _pickAccredited(bSeed) : _pick(bSeed, false);
    }

    /// The first person from `seed` on who is an active accreditor (`accreditor`), or who holds no accreditation.
    function _pick(uint256 seed, bool accreditor) internal view returns (address) {
        for (uint256 k = 0; k < PEOPLE; ++k) {
            address p = people[(seed + k) % PEOPLE];
            ITrustRegistry.Accreditation memory acc = trust.accreditationOf(p);
            if (accreditor ? acc.status == ITrustRegistry.Status.Active && acc.role & 2 != 0 : acc.status == ITrustRegistry.Status.None) {
                return p;
            }
        }
        return people[seed % PEOPLE];
    }

    function _pickAccredited(uint256 seed) internal view returns (address) {
        for (uint256 k = 0; k < PEOPLE; ++k) {
            address p = people[(seed + k) % PEOPLE];
            if (trust.accreditationOf(p).status != ITrustRegistry.Status.None) return p;
        }
        return people[seed % PEOPLE];
    }

    /// The index of the actor with authority over `c` (PEOPLE for the governor).
    function _rightful(Call memory c) internal view returns (uint256) {
        if (c.governance) return PEOPLE;
        address owner = dids.identityOwner(c.identity);
        for (uint256 i = 0; i < PEOPLE; ++i) if (people[i] == owner) return i;
        return PEOPLE;
    }

    /// Two calls in three come from whoever holds the authority (so that the forest grows and changes), the rest
    /// from anyone at all (so that every refusal is tried).
    function _execute(Call memory c, uint256 actorSeed, address relayer, bool viaSignature) internal {
        uint256 a = actorSeed % 3 == 0 ? (actorSeed / 3) % (PEOPLE + 1) : _rightful(c);
        address actor = a == PEOPLE ? governor : people[a];
        bool ok;
        if (viaSignature) {
            uint256 nonce = trust.nonces(actor);
            uint256 deadline = block.timestamp + 1 hours;
            bytes memory sig = _sign(a == PEOPLE ? GOVERNOR_KEY : keys[a], actor, c.data, nonce, deadline);
            vm.prank(relayer);
            (ok, ) = address(trust).call(abi.encodeCall(trust.callWithSignature, (actor, c.data, nonce, deadline, sig)));
            if (ok) signedSuccesses++;
        } else {
            vm.prank(actor);
            (ok, ) = address(trust).call(c.data);
        }
        if (!ok) return;
        successes++;
        bool authorized;
        if (c.governance) {
            authorized = actor == governor; // AccessControl checks _msgSender(): the signer of a signed call
        } else {
            address owner = dids.identityOwner(c.identity);
            authorized = owner == actor || (viaSignature && owner == relayer);
        }
        if (!authorized) unauthorizedSuccesses++;
        if (c.isRevoke) {
            (address subject, uint40 effectiveAt, ) = abi.decode(_args(c.data), (address, uint40, uint8));
            revokedFrom[subject] = effectiveAt;
            revoked.push(subject);
        }
    }

    function rotateOwner(uint256 who, uint256 toWho) external {
        address identity = people[who % PEOPLE];
        vm.prank(dids.identityOwner(identity));
        dids.changeOwner(identity, people[toWho % PEOPLE]);
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + (secondsAhead % 30 days));
    }

    function _call(uint256 op, address a, address b, uint8 role, uint256 scope, uint40 from, uint40 until)
        internal
        view
        returns (Call memory)
    {
        role = uint8(role % 5); // 0 (invalid) and 4 (invalid) sometimes; 1, 2, 3 mostly
        if (role == 4) role = 3;
        scope %= 1 << (TYPES + 1); // sometimes names an unregistered type
        // Half the time, a subset of what the parent holds (else most accreditations would be refused).
        address parent = op <= 3 ? a : trust.accreditationOf(b).parent;
        if (scope & 1 == 0 && parent != address(0)) {
            uint256 held = trust.accreditationOf(parent).scope & (scope >> 1);
            if (held != 0) scope = held;
        }
        // Windows around now, so that expiry and not-yet-valid both happen; or no window at all.
        if (from % 3 == 0) {
            (from, until) = (0, type(uint40).max);
        } else {
            from = uint40(block.timestamp) - 1 days + (from % 2 days);
            until = from + 1 + (until % 20 days);
        }
        address parentOfB = trust.accreditationOf(b).parent;
        if (op <= 3) {
            return Call(abi.encodeCall(trust.accredit, (a, b, role, scope, from, until, "", bytes32(0))), false, a, false);
        }
        if (op == 4) {
            return Call(abi.encodeCall(trust.update, (b, role, scope, from, until, 1, "", bytes32(0))), parentOfB == address(0), parentOfB, false);
        }
        if (op == 5) return Call(abi.encodeCall(trust.suspend, (b, 2)), parentOfB == address(0), parentOfB, false);
        if (op == 6) return Call(abi.encodeCall(trust.reinstate, (b, 3)), parentOfB == address(0), parentOfB, false);
        if (op == 7) {
            uint40 effectiveAt = uint40(block.timestamp) - (until % 1000);
            return Call(abi.encodeCall(trust.revoke, (b, effectiveAt, 4)), parentOfB == address(0), parentOfB, true);
        }
        if (op == 8) return Call(abi.encodeCall(trust.registerType, ("Late type")), true, address(0), false);
        return Call(abi.encodeCall(trust.addRoot, (b, scope, from, until, "", bytes32(0))), true, address(0), false);
    }

    function _args(bytes memory data) internal pure returns (bytes memory out) {
        out = new bytes(data.length - 4);
        for (uint256 i = 0; i < out.length; ++i) out[i] = data[i + 4];
    }

    function _sign(uint256 key, address signer, bytes memory data, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("LER TrustRegistry"),
                keccak256("1"),
                block.chainid,
                address(trust)
            )
        );
        bytes32 structHash = keccak256(abi.encode(SIGNED_CALL_TYPEHASH, signer, keccak256(data), nonce, deadline));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        return abi.encodePacked(r, s, v);
    }
}

/// Invariants over the whole accreditation forest: authority for every write, `trustedAt` equal to an independent
/// model over the stored chain at past, present and future times, effective scopes contained in every link above,
/// and a revocation holding for its subject and everything below it at every time from its effective time on.
contract TrustRegistryModelInvariantTest is MiniTest {
    TrustRegistry internal trust;
    TrustModelHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        EthereumDIDRegistry dids = new EthereumDIDRegistry();
        address governor = vm.addr(0x60B0);
        trust = new TrustRegistry(IERC1056(address(dids)), governor);
        handler = new TrustModelHandler(dids, trust);
        vm.startPrank(governor);
        for (uint256 t = 0; t < handler.TYPES(); ++t) trust.registerType(string(abi.encodePacked("T", bytes1(uint8(65 + t)))));
        trust.addRoot(handler.people(0), 0x7, 0, type(uint40).max, "", bytes32(0));
        trust.addRoot(handler.people(1), 0xE, 0, type(uint40).max, "", bytes32(0));
        vm.stopPrank();
        targetContract(address(handler));
        // Only the actions: the handler's getters would waste calls.
        bytes4[] memory actions = new bytes4[](3);
        (actions[0], actions[1], actions[2]) = (handler.write.selector, handler.rotateOwner.selector, handler.warp.selector);
        targetSelector(FuzzSelector(address(handler), actions));
    }

    /// The handler's writes do succeed, signed ones included (else the invariants would hold vacuously).
    function test_handler_writesSucceed() public {
        // people[0] (a root) accredits people[2] by signature, relayed by people[5]; then directly, people[3].
        handler.write(1, 0, 0, 2, 3, 0x3, 0, 0, true, 5);
        handler.write(1, 0, 0, 3, 1, 0x1, 0, 0, false, 0);
        // The governor suspends root people[1] by signature (op 5: suspend).
        handler.write(1, 5, 1, 1, 0, 0, 0, 0, true, 4);
        // A stranger (people[4], actor seed 12) tries to revoke people[2] (op 7), both ways: refused.
        handler.write(12, 7, 1, 2, 0, 0, 0, 0, true, 3);
        handler.write(12, 7, 1, 2, 0, 0, 0, 0, false, 0);
        assertEq(handler.successes(), 3, "three writes succeeded");
        assertEq(handler.signedSuccesses(), 2, "two of them signed");
        assertEq(handler.unauthorizedSuccesses(), 0, "none without authority");
    }

    function invariant_everyWriteNeedsItsAuthority() public view {
        assertEq(handler.unauthorizedSuccesses(), 0, "a write succeeded without governance or the parent's owner");
    }

    function invariant_trustedAtMatchesTheModel() public view {
        uint256[3] memory times = [block.timestamp, block.timestamp - 600, block.timestamp + 10 days];
        for (uint256 i = 0; i < handler.PEOPLE(); ++i) {
            address subject = handler.people(i);
            ITrustRegistry.Link[] memory chain = trust.chainOf(subject);
            for (uint256 t = 0; t <= handler.TYPES(); ++t) {
                for (uint256 k = 0; k < times.length; ++k) {
                    (ITrustRegistry.Verdict verdict, , ) = trust.trustedAt(subject, t, times[k]);
                    assertEq(uint256(verdict), uint256(_model(chain, t, times[k])), "trustedAt differs from the model");
                }
            }
        }
    }

    /// The scope a subject is trusted for lies within every link above it, and is exactly `accreditationOf`'s view.
    function invariant_scopeContainedOverTheWholeTree() public view {
        for (uint256 i = 0; i < handler.PEOPLE(); ++i) {
            address subject = handler.people(i);
            ITrustRegistry.Link[] memory chain = trust.chainOf(subject);
            if (chain.length == 0) continue;
            uint256 intersection = type(uint256).max;
            for (uint256 l = 0; l < chain.length; ++l) intersection &= chain[l].accreditation.scope;
            assertEq(trust.accreditationOf(subject).scope, intersection, "the narrowed scope is the chain's intersection");
            // No root may hold an unregistered type; so no one is ever trusted for one.
            assertEq(chain[chain.length - 1].accreditation.scope >> trust.typeCount(), 0, "a root holds an unregistered type");
            for (uint256 t = 0; t <= handler.TYPES(); ++t) {
                (ITrustRegistry.Verdict verdict, , ) = trust.trustedAt(subject, t, block.timestamp);
                if (verdict == ITrustRegistry.Verdict.Trusted) {
                    assertTrue((intersection >> t) & 1 == 1, "trusted for a type some link above lacks");
                }
            }
        }
    }

    /// Once revoked from time e, neither the subject nor anyone below it is trusted at e, or now, for any type.
    function invariant_revocationHoldsFromItsEffectiveTimeOn() public view {
        for (uint256 r = 0; r < handler.revokedCount(); ++r) {
            address gone = handler.revoked(r);
            uint40 e = handler.revokedFrom(gone);
            assertTrue(trust.accreditationOf(gone).status == ITrustRegistry.Status.Revoked, "a revocation was undone");
            for (uint256 i = 0; i < handler.PEOPLE(); ++i) {
                address subject = handler.people(i);
                if (!_below(trust.chainOf(subject), gone)) continue;
                for (uint256 t = 0; t < handler.TYPES(); ++t) {
                    (ITrustRegistry.Verdict atE, , ) = trust.trustedAt(subject, t, e);
                    (ITrustRegistry.Verdict now_, , ) = trust.trustedAt(subject, t, block.timestamp);
                    assertTrue(atE != ITrustRegistry.Verdict.Trusted, "trusted at the revocation's effective time");
                    assertTrue(now_ != ITrustRegistry.Verdict.Trusted, "trusted after a revocation above it");
                }
            }
        }
    }

    function _below(ITrustRegistry.Link[] memory chain, address gone) internal pure returns (bool) {
        for (uint256 l = 0; l < chain.length; ++l) if (chain[l].subject == gone) return true;
        return false;
    }

    /// The trust rules, written from the specification (ITrustRegistry) over the stored chain.
    function _model(ITrustRegistry.Link[] memory chain, uint256 t, uint256 at) internal view returns (ITrustRegistry.Verdict) {
        if (chain.length == 0) return ITrustRegistry.Verdict.NotAccredited;
        for (uint256 l = 0; l < chain.length; ++l) {
            ITrustRegistry.Accreditation memory a = chain[l].accreditation;
            uint8 needed = l == 0 ? trust.ROLE_ISSUER() : trust.ROLE_ACCREDITOR();
            if (a.role & needed == 0) return l == 0 ? ITrustRegistry.Verdict.NotIssuer : ITrustRegistry.Verdict.NotAccreditor;
            if (a.status == ITrustRegistry.Status.Suspended) return ITrustRegistry.Verdict.Suspended;
            if (at < a.validFrom) return ITrustRegistry.Verdict.NotYetValid;
            if (at >= a.validUntil) {
                return a.status == ITrustRegistry.Status.Revoked ? ITrustRegistry.Verdict.Revoked : ITrustRegistry.Verdict.Expired;
            }
            if ((uint256(a.scope) >> t) & 1 == 0) return ITrustRegistry.Verdict.OutOfScope;
            if (a.parent == address(0)) return ITrustRegistry.Verdict.Trusted;
        }
        // A chain that stops below a root: its top's parent holds no accreditation, or the depth bound was hit.
        return chain.length > trust.MAX_DEPTH() ? ITrustRegistry.Verdict.DepthExceeded : ITrustRegistry.Verdict.NotAccredited;
    }
}
