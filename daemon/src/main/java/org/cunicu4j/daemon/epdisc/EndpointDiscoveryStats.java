package org.cunicu4j.daemon.epdisc;

/**
 * What one interface's endpoint discovery saw and did on signaling, since it started.
 *
 * @param unknownSender messages from a key that is not one of our peers: ignored
 * @param malformed messages whose credentials or candidate were invalid: dropped
 * @param ignored messages without credentials or candidate (other features' messages)
 * @param credentialsReceived credentials messages accepted
 * @param credentialsSent credentials messages published
 * @param candidatesReceived candidates accepted
 * @param candidatesSent candidates published
 * @param publishErrors publishes the backend refused
 * @param restarts session restarts (local or remote), all peers, including removed ones
 * @param staleCredentials credentials dropped because the peer had replaced their ufrag since
 *     (late or duplicated copies)
 * @param remoteCandidatesDropped remote candidates beyond a session's limit per remote epoch
 */
public record EndpointDiscoveryStats(long unknownSender, long malformed, long ignored, long credentialsReceived,
        long credentialsSent, long candidatesReceived, long candidatesSent, long publishErrors, long restarts,
        long staleCredentials, long remoteCandidatesDropped) {}
