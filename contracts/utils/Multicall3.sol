// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Multicall3 (the subset verifiers use)
/// @notice Batches reads across contracts into one `eth_call`, all taken at one block. ABI-compatible with the
/// `aggregate3` and block getters of the Multicall3 deployed at 0xcA11bde05977b3631167028862bE2a173976CA11 on most
/// public chains, so clients use that one there and this one on local chains.
contract Multicall3 {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice A call that was not allowed to fail failed; `index` is its place in the batch.
    error Multicall3CallFailed(uint256 index, bytes returnData);

    /// @notice Runs each call in order and returns every result.
    function aggregate3(Call3[] calldata calls) external returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            Call3 calldata c = calls[i];
            // solhint-disable-next-line avoid-low-level-calls
            (bool success, bytes memory returnData) = c.target.call(c.callData);
            if (!success && !c.allowFailure) revert Multicall3CallFailed(i, returnData);
            results[i] = Result(success, returnData);
        }
    }

    /// @notice The number of the block the batch runs in.
    function getBlockNumber() external view returns (uint256) {
        return block.number;
    }

    /// @notice The timestamp of the block the batch runs in.
    function getCurrentBlockTimestamp() external view returns (uint256) {
        return block.timestamp;
    }

    /// @notice The chain id.
    function getChainId() external view returns (uint256) {
        return block.chainid;
    }
}
