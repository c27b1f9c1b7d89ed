/**
 * Module {@code signaling}: Sealed cunicu-compatible signaling: protobuf, backends, gRPC server.
 *
 * <p>Placeholder until its issue lands; see ARCHITECTURE.md.
 */
package org.cunicu4j.signaling;
