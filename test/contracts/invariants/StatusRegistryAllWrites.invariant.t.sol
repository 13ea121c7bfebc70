// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EthereumDIDRegistry} from "ethr-did-registry-sol/EthereumDIDRegistry.sol";
import {StatusRegistry} from "../../../contracts/StatusRegistry.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";
import {IStatusRegistry} from "../../../contracts/interfaces/IStatusRegistry.sol";
import {MiniTest, Vm} from "../utils/MiniTest.sol";

/// Drives every write function of the status registry (single, word and index batches, hash revocations, anchors),
/// sent directly or as EIP-712 signed calls relayed by anyone, with owners rotating and used signatures replayed.
/// Actors have private keys, so they sign; identities are the actors' own addresses.
contract StatusAllWritesHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    bytes32 private constant SIGNED_CALL_TYPEHASH =
        keccak256("SignedCall(address signer,bytes data,uint256 nonce,uint256 deadline)");

    uint256 public constant ACTORS = 4;
    uint256 public constant LISTS = 2;
    uint256 public constant WORDS = 2;
    uint256 public constant OPS = 12;
    uint256 public constant HASHES = 3;

    EthereumDIDRegistry public immutable dids;
    StatusRegistry public immutable status;
    uint256[ACTORS] internal keys = [uint256(0xA11CE), 0xB0B, 0xCA201, 0xD00D];
    address[ACTORS] public actors;

    // Writes that succeeded although neither the sender nor the (valid) signer was the identity's owner at the time.
    uint256 public unauthorizedSuccesses;
    // Signed calls that succeeded a second time.
    uint256 public replaySuccesses;
    // A revocation bit found cleared, a hash revocation time or an anchor found moved.
    uint256 public monotonicityBreaks;
    uint256 public directSuccesses;
    uint256 public signedSuccesses;

    // What the model says each word holds: [issuer][purpose][list][word].
    mapping(uint256 => mapping(uint256 => mapping(uint256 => mapping(uint256 => uint256)))) public expected;
    mapping(uint256 => mapping(uint256 => mapping(uint256 => uint256))) internal lastRevocation;
    mapping(uint256 => mapping(uint256 => uint256)) internal lastHashTime;
    mapping(uint256 => mapping(uint256 => uint64)) internal lastAnchorTime;

    struct SignedCall {
        address signer;
        bytes data;
        uint256 nonce;
        uint256 deadline;
        bytes signature;
    }

    SignedCall[] internal used;

    constructor(EthereumDIDRegistry dids_, StatusRegistry status_) {
        (dids, status) = (dids_, status_);
        for (uint256 i = 0; i < ACTORS; ++i) actors[i] = vm.addr(keys[i]);
    }

    /// A write sent directly by an actor.
    function direct(uint256 actorSeed, uint256 issuerSeed, uint256 op, uint256 list, uint256 word, uint256 mask) external {
        uint256 i = issuerSeed % ACTORS;
        // Half the calls come from the issuer's owner, half from anyone.
        address actor = actorSeed % 2 == 0 ? actors[_ownerIndex(i)] : actors[(actorSeed / 2) % ACTORS];
        bytes memory data = _call(i, op, list, word, mask);
        bool authorized = dids.identityOwner(actors[i]) == actor;
        vm.prank(actor);
        (bool ok, ) = address(status).call(data);
        if (ok) {
            directSuccesses++;
            if (!authorized) unauthorizedSuccesses++;
            _apply(i, op, list, word, mask);
        }
        _checkMonotonic(i);
    }

    /// A write signed by one actor (with its own key, or with another's when `forge` is set) and relayed by another.
    function signed(
        uint256 signerSeed,
        uint256 issuerSeed,
        uint256 relayerSeed,
        uint256 op,
        uint256 list,
        uint256 word,
        uint256 mask,
        bool forge
    ) external {
        Write memory w = Write(issuerSeed % ACTORS, op, list, word, mask);
        // Half the calls are signed by the issuer's owner, half by anyone.
        uint256 s = signerSeed % 2 == 0 ? _ownerIndex(w.issuer) : (signerSeed / 2) % ACTORS;
        _signed(s, w, actors[relayerSeed % ACTORS], forge);
        _checkMonotonic(w.issuer);
    }

    struct Write {
        uint256 issuer;
        uint256 op;
        uint256 list;
        uint256 word;
        uint256 mask;
    }

    function _signed(uint256 s, Write memory w, address relayer, bool forge) internal {
        address signer = actors[s];
        SignedCall memory c;
        c.signer = signer;
        c.data = _call(w.issuer, w.op, w.list, w.word, w.mask);
        c.nonce = status.nonces(signer);
        c.deadline = block.timestamp + 1 hours;
        c.signature = sign(forge ? keys[(s + 1) % ACTORS] : keys[s], signer, c.data, c.nonce, c.deadline);
        // Within a signed call the sender still counts: an owner relaying someone's signed call acts as the owner.
        address owner = dids.identityOwner(actors[w.issuer]);
        bool authorized = !forge && (owner == signer || owner == relayer);
        vm.prank(relayer);
        (bool ok, ) = address(status).call(
            abi.encodeCall(status.callWithSignature, (c.signer, c.data, c.nonce, c.deadline, c.signature))
        );
        if (ok) {
            signedSuccesses++;
            if (!authorized) unauthorizedSuccesses++;
            _apply(w.issuer, w.op, w.list, w.word, w.mask);
            used.push(c);
        }
    }

    function _ownerIndex(uint256 i) internal view returns (uint256) {
        address owner = dids.identityOwner(actors[i]);
        for (uint256 k = 0; k < ACTORS; ++k) if (actors[k] == owner) return k;
        return i;
    }

    /// Sends a signed call that already succeeded once, through any relayer.
    function replay(uint256 which, uint256 relayerSeed) external {
        if (used.length == 0) return;
        SignedCall memory c = used[which % used.length];
        vm.prank(actors[relayerSeed % ACTORS]);
        (bool ok, ) = address(status).call(
            abi.encodeCall(status.callWithSignature, (c.signer, c.data, c.nonce, c.deadline, c.signature))
        );
        if (ok) replaySuccesses++;
        for (uint256 i = 0; i < ACTORS; ++i) _checkMonotonic(i);
    }

    /// The current owner hands the identity to another actor (or back).
    function rotateOwner(uint256 issuerSeed, uint256 newOwnerSeed) external {
        address issuer = actors[issuerSeed % ACTORS];
        vm.prank(dids.identityOwner(issuer));
        dids.changeOwner(issuer, actors[newOwnerSeed % ACTORS]);
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + (secondsAhead % 1 days));
    }

    /// The EIP-712 signature of a signed call, made with `key` for `signer`.
    function sign(uint256 key, address signer, bytes memory data, uint256 nonce, uint256 deadline)
        public
        view
        returns (bytes memory)
    {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("LER StatusRegistry"),
                keccak256("1"),
                block.chainid,
                address(status)
            )
        );
        bytes32 structHash = keccak256(abi.encode(SIGNED_CALL_TYPEHASH, signer, keccak256(data), nonce, deadline));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        return abi.encodePacked(r, s, v);
    }

    function hashOf(uint256 h) public pure returns (bytes32) {
        return keccak256(abi.encode("credential", h % HASHES));
    }

    function rootOf(uint256 r) public pure returns (bytes32) {
        return keccak256(abi.encode("root", r % HASHES));
    }

    /// The calldata of write `op` for issuer `i`; list, word and mask pick the entries (two indices for index batches).
    function _call(uint256 i, uint256 op, uint256 list, uint256 word, uint256 mask) internal view returns (bytes memory) {
        address issuer = actors[i];
        list %= LISTS;
        word %= WORDS;
        op %= OPS;
        uint256 index = word * 256 + (mask & 0xff);
        uint256[] memory words = new uint256[](1);
        uint256[] memory masks = new uint256[](1);
        (words[0], masks[0]) = (word, mask);
        uint256[] memory indices = new uint256[](2);
        (indices[0], indices[1]) = (index, word * 256 + ((mask >> 8) & 0xff));
        bytes32[] memory hashes = new bytes32[](2);
        (hashes[0], hashes[1]) = (hashOf(mask), hashOf(mask >> 8));
        if (op == 0) return abi.encodeCall(status.revoke, (issuer, list, index));
        if (op == 1) return abi.encodeCall(status.suspend, (issuer, list, index));
        if (op == 2) return abi.encodeCall(status.reinstate, (issuer, list, index));
        if (op == 3) return abi.encodeCall(status.revokeWords, (issuer, list, words, masks));
        if (op == 4) return abi.encodeCall(status.suspendWords, (issuer, list, words, masks));
        if (op == 5) return abi.encodeCall(status.reinstateWords, (issuer, list, words, masks));
        if (op == 6) return abi.encodeCall(status.revokeIndices, (issuer, list, indices));
        if (op == 7) return abi.encodeCall(status.suspendIndices, (issuer, list, indices));
        if (op == 8) return abi.encodeCall(status.reinstateIndices, (issuer, list, indices));
        if (op == 9) return abi.encodeCall(status.revokeHash, (issuer, hashes[0]));
        if (op == 10) return abi.encodeCall(status.revokeHashes, (issuer, hashes));
        return abi.encodeCall(status.anchor, (issuer, rootOf(mask)));
    }

    /// What a successful write `op` changed, in the model.
    function _apply(uint256 i, uint256 op, uint256 list, uint256 word, uint256 mask) internal {
        list %= LISTS;
        word %= WORDS;
        op %= OPS;
        if (op >= 9) return; // hashes and anchors: checked against their first value, not modelled as words
        uint256 purpose = op % 3 == 0 ? 0 : 1;
        bool set = op % 3 != 2;
        uint256 bits;
        if (op < 3) bits = uint256(1) << (mask & 0xff);
        else if (op < 6) bits = mask;
        else bits = (uint256(1) << (mask & 0xff)) | (uint256(1) << ((mask >> 8) & 0xff));
        uint256 old = expected[i][purpose][list][word];
        expected[i][purpose][list][word] = set ? old | bits : old & ~bits;
    }

    /// After every write to issuer `i` (the only one a write may touch): no revocation bit cleared, no hash
    /// revocation time and no anchor moved once set. (Other issuers' words are held to the model by the invariant.)
    function _checkMonotonic(uint256 i) internal {
        {
            address issuer = actors[i];
            for (uint256 list = 0; list < LISTS; ++list) {
                uint256[] memory words = status.getWords(issuer, IStatusRegistry.Purpose.Revocation, list, 0, WORDS);
                for (uint256 w = 0; w < WORDS; ++w) {
                    uint256 before = lastRevocation[i][list][w];
                    if (words[w] & before != before) monotonicityBreaks++;
                    lastRevocation[i][list][w] = words[w];
                }
            }
            for (uint256 h = 0; h < HASHES; ++h) {
                uint256 t = status.hashRevokedAt(issuer, hashOf(h));
                if (lastHashTime[i][h] != 0 && t != lastHashTime[i][h]) monotonicityBreaks++;
                lastHashTime[i][h] = t;
                uint64 a = status.anchorOf(issuer, rootOf(h)).timestamp;
                if (lastAnchorTime[i][h] != 0 && a != lastAnchorTime[i][h]) monotonicityBreaks++;
                lastAnchorTime[i][h] = a;
            }
        }
    }
}

/// Invariants over every write of the status registry, direct and signed: only an issuer's current owner changes
/// its records; a signature works once; revocations (bits and hashes) and anchors never go back.
contract StatusRegistryAllWritesInvariantTest is MiniTest {
    StatusRegistry internal status;
    StatusAllWritesHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        EthereumDIDRegistry dids = new EthereumDIDRegistry();
        status = new StatusRegistry(IERC1056(address(dids)));
        handler = new StatusAllWritesHandler(dids, status);
        targetContract(address(handler));
        // Only the actions: the handler's getters and helpers would waste calls.
        bytes4[] memory actions = new bytes4[](5);
        (actions[0], actions[1], actions[2], actions[3], actions[4]) = (
            handler.direct.selector,
            handler.signed.selector,
            handler.replay.selector,
            handler.rotateOwner.selector,
            handler.warp.selector
        );
        targetSelector(FuzzSelector(address(handler), actions));
    }

    /// The handler's signed path really produces accepted signatures (otherwise the invariants would hold vacuously).
    function test_handler_signedWritesAreAccepted() public {
        for (uint256 op = 0; op < handler.OPS(); ++op) {
            handler.signed(0, 1, 2, op, 0, 0, 0x0201, false); // signed by issuer 1's owner, relayed by actor 2
        }
        assertEq(handler.signedSuccesses(), handler.OPS(), "every kind of write works by signature");
        handler.replay(0, 3);
        assertEq(handler.replaySuccesses(), 0, "and not twice");
        handler.signed(0, 1, 2, 0, 0, 0, 0x05, true);
        assertEq(handler.signedSuccesses(), handler.OPS(), "a forged signature is refused");
    }

    function invariant_everyWriteNeedsTheCurrentOwner() public view {
        assertEq(handler.unauthorizedSuccesses(), 0, "a write succeeded without the issuer's current owner");
    }

    function invariant_signaturesWorkOnce() public view {
        assertEq(handler.replaySuccesses(), 0, "a signed call succeeded twice");
    }

    function invariant_revocationsAndAnchorsNeverGoBack() public view {
        assertEq(handler.monotonicityBreaks(), 0, "a revocation bit cleared, or a revocation time or anchor moved");
    }

    /// The batch read a verifier uses answers exactly what the single reads answer, for every issuer and hash.
    function invariant_batchHashReadMatchesSingleReads() public view {
        bytes32[] memory hashes = new bytes32[](handler.HASHES() + 1);
        for (uint256 h = 0; h < hashes.length; ++h) hashes[h] = handler.hashOf(h); // the last repeats the first
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            address issuer = handler.actors(i);
            uint256[] memory times = status.hashesRevokedAt(issuer, hashes);
            assertEq(times.length, hashes.length, "one answer per hash");
            for (uint256 h = 0; h < hashes.length; ++h) {
                assertEq(times[h], status.hashRevokedAt(issuer, hashes[h]), "batch read differs from the single read");
            }
        }
    }

    function invariant_registryMatchesTheModel() public view {
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            address issuer = handler.actors(i);
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
}
