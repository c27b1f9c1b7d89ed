/**
 * Raw IP sockets for UDP with classic BPF filters: {@link org.cunicu4j.linux.rawsock.BpfProgram}
 * assembles a filter with labelled jumps, {@link org.cunicu4j.linux.rawsock.BpfFilters}
 * holds the STUN-on-a-port filters, and {@link org.cunicu4j.linux.rawsock.RawSocket}
 * attaches one without a window for unfiltered packets (drop-all, drain, then the real
 * filter) and reads and writes UDP datagrams beside the kernel's own UDP stack.
 */
package org.cunicu4j.linux.rawsock;
