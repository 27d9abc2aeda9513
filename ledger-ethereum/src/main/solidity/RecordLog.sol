// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Append-only log of opaque gateway ledger records.
/// @notice Each record is one RecordCodec "HGRS" v1 byte string, carried unchanged as event
/// data. The contract does not parse, store or judge records: every node that follows the
/// events verifies every record itself. `seq` numbers the records of this contract from 0
/// without gaps, so a follower sees a missing or repeated event at once.
contract RecordLog {
    /// Number of records appended so far; the seq of the next record.
    uint256 public count;

    /// One ledger record, in order.
    event Record(uint256 indexed seq, bytes data);

    /// Appends `records` in order, one Record event each.
    function append(bytes[] calldata records) external {
        uint256 seq = count;
        for (uint256 i = 0; i < records.length; i++) {
            emit Record(seq, records[i]);
            seq++;
        }
        count = seq;
    }
}
