// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// The issuance-anchor proofs of src/credentials/merkle.ts verify with OpenZeppelin's MerkleProof. The vectors are the
/// five-leaf tree of test/credentials/merkle.test.ts (leaf i = keccak256(abi.encodePacked(uint256(i)))), whose odd
/// levels promote the last node unchanged: its proof has one sibling fewer.
contract MerkleProofCompatTest {
    bytes32 internal constant ROOT = 0xc96cb43f0149b257acfbc3ebf2822b945c02a7874dccbd55312bd44589068e0a;

    error MerkleProofCompatWrongRoot(uint256 leafIndex, bytes32 computed);
    error MerkleProofCompatRejected(uint256 leafIndex);
    error MerkleProofCompatAcceptedWrongLeaf(uint256 proofIndex, uint256 leafIndex);

    function test_everyProofOfTheFiveLeafTree_leadsToTheRoot() public pure {
        bytes32[][] memory proofs = _proofs();
        for (uint256 i = 0; i < proofs.length; ++i) {
            bytes32 leaf = keccak256(abi.encodePacked(i));
            bytes32 computed = MerkleProof.processProof(proofs[i], leaf);
            if (computed != ROOT) revert MerkleProofCompatWrongRoot(i, computed);
            if (!MerkleProof.verify(proofs[i], ROOT, leaf)) revert MerkleProofCompatRejected(i);
        }
    }

    function test_aProofDoesNotServeAnotherLeaf() public pure {
        bytes32[][] memory proofs = _proofs();
        for (uint256 p = 0; p < proofs.length; ++p) {
            for (uint256 i = 0; i < proofs.length; ++i) {
                if (i == p) continue;
                if (MerkleProof.verify(proofs[p], ROOT, keccak256(abi.encodePacked(i)))) {
                    revert MerkleProofCompatAcceptedWrongLeaf(p, i);
                }
            }
        }
    }

    function _proofs() private pure returns (bytes32[][] memory proofs) {
        bytes32 pair01 = 0x891370df4fadf33f50e41f7c8a791e680c0655695ea3404385a909c8f5e13fb4;
        bytes32 pair23 = 0xc5fd106a8e5214837c622e5fdef112b1d83ad6de66beafb53451c77843c9d04e;
        bytes32 leaf4 = 0x8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b;
        proofs = new bytes32[][](5);
        proofs[0] = _three(0xb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6, pair23, leaf4);
        proofs[1] = _three(0x290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563, pair23, leaf4);
        proofs[2] = _three(0xc2575a0e9e593c00f959f8c92f12db2869c3395a3b0502d05e2516446f71f85b, pair01, leaf4);
        proofs[3] = _three(0x405787fa12a823e0f2b7631cc41b3ba8828b3321ca811111fa75cd3aa3bb5ace, pair01, leaf4);
        proofs[4] = new bytes32[](1);
        proofs[4][0] = 0x2c24f92f65cdd0fde0264c1f41fadf17cb35cdffeaca769e5673e72b072be707;
    }

    function _three(bytes32 a, bytes32 b, bytes32 c) private pure returns (bytes32[] memory proof) {
        proof = new bytes32[](3);
        (proof[0], proof[1], proof[2]) = (a, b, c);
    }
}
