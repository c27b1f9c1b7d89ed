/**
 * The daemon's control socket: {@link org.cunicu4j.daemon.control.ControlServer} serves a
 * {@link org.cunicu4j.daemon.api.DaemonApi} on a UNIX-domain socket (mode 0600, published
 * atomically under an exclusive lock on {@code <path>.lock} so that two daemons starting at
 * once cannot remove each other's socket, one virtual thread per client, bounded requests, clients and event queues) and
 * {@link org.cunicu4j.daemon.control.ControlClient} is what {@code cunicu4j status},
 * {@code monitor} and {@code restart} use. Messages are length-delimited protobuf (a 4-byte
 * big-endian length, then a {@code Request} or {@code Response} of
 * {@code src/main/proto/cunicu4j/control.proto}): protobuf-java is already on the class path
 * (module signaling) and gives a typed, generated, evolvable schema with bounded parsing, so
 * neither side needs a hand-written JSON parser. gRPC itself is not used because serving it
 * on a UNIX socket would take netty's JNI epoll transport, which the project forbids.
 */
package org.cunicu4j.daemon.control;
