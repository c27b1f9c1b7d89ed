package org.cunicu4j.ice;

/**
 * What an agent dropped or handled out of line, at one moment. Immutable.
 *
 * @param malformed datagrams that looked like STUN but did not parse
 * @param badIntegrity STUN messages whose MESSAGE-INTEGRITY or FINGERPRINT did not verify, or lacked integrity
 * @param wrongUfrag requests whose USERNAME named another agent's (or an old) ufrag
 * @param unknownTransaction responses matching no outstanding request
 * @param unexpectedStun well-formed STUN the agent does not handle (other methods, classes)
 * @param unexpectedData non-STUN datagrams from an address of no valid pair on the base they came in on
 * @param dataFromOtherValidPair non-STUN datagrams delivered although they came over a valid pair other
 *     than the selected one (RFC 8445 §12: data is accepted on any valid pair; many mean the peers'
 *     selected pairs differ)
 * @param dataDroppedNoRoute datagrams sent through {@link IceConnection} while no pair was selected
 * @param dataDroppedQueueFull data datagrams dropped because the {@link IceConnection} receiver fell behind
 * @param roleConflicts role conflicts seen (487 sent or received, or a role switched on a request)
 * @param readerErrors I/O errors on a base other than its closing (the reader goes on)
 * @param sendErrors control messages (checks, responses, keepalives) a base refused to send
 * @param ignoredRemoteCandidates remote candidates ignored (other component, after end-of-candidates, duplicates)
 */
public record IceCounters(
        long malformed,
        long badIntegrity,
        long wrongUfrag,
        long unknownTransaction,
        long unexpectedStun,
        long unexpectedData,
        long dataFromOtherValidPair,
        long dataDroppedNoRoute,
        long dataDroppedQueueFull,
        long roleConflicts,
        long readerErrors,
        long sendErrors,
        long ignoredRemoteCandidates) {

    /** Everything dropped as bad input: malformed, bad integrity, wrong ufrag, unknown transaction, unexpected. */
    public long droppedInput() {
        return malformed + badIntegrity + wrongUfrag + unknownTransaction + unexpectedStun + unexpectedData;
    }
}
