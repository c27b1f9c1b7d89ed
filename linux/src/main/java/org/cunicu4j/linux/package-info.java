/**
 * Linux system calls through the Foreign Function and Memory API (no JNI, no JNA):
 * {@link org.cunicu4j.linux.Libc} makes downcalls with errno captured, and every failure
 * becomes a {@link org.cunicu4j.linux.LinuxException} that names the call, its
 * arguments and the errno. Subpackages hold TUN devices, raw sockets with classic BPF,
 * rtnetlink and UDP socket options.
 */
package org.cunicu4j.linux;
