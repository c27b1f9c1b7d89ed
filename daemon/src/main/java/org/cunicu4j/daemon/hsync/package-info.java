/**
 * Hosts-file synchronisation (cunīcu's {@code hsync}): {@link org.cunicu4j.daemon.hsync.HostsSync}
 * keeps one line per peer address in {@code /etc/hosts} (or any injected path), tagged with a
 * trailing {@code # cunicu: ifname=IF, ifindex=N, pk=KEY} comment as cunīcu writes it, and
 * only ever rewrites or removes lines carrying its own interface's tag; every other line is
 * kept byte for byte. {@link org.cunicu4j.daemon.hsync.HostsFile} does the read-modify-write
 * (a temporary file renamed over the original, or an in-place write where the file is a bind
 * mount), {@link org.cunicu4j.daemon.hsync.HostLine} recognises and formats tagged lines, and
 * {@link org.cunicu4j.daemon.hsync.HostNames} refuses names that could break the file.
 */
package org.cunicu4j.daemon.hsync;
