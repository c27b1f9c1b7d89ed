/**
 * Module {@code signaling}: sealed, cunīcu-compatible signaling. The generated protobuf
 * messages and gRPC stubs live in {@code org.cunicu4j.signaling.proto...}, sealing with the
 * WireGuard keys in {@link org.cunicu4j.signaling.seal}, and the backends (selected by URL,
 * in-process, multi-backend, and the SPI the gRPC and multicast backends implement) in
 * {@link org.cunicu4j.signaling.backend}. See the module's README.md.
 */
package org.cunicu4j.signaling;
