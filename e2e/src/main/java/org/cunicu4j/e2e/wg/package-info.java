/**
 * Running cunicu4j's userspace WireGuard device in lab hosts for the interop tests and the
 * WireGuard benchmark: {@link org.cunicu4j.e2e.wg.DeviceMain} is a device with its UAPI
 * socket in a process of its own, {@link org.cunicu4j.e2e.wg.OurDevice} starts it in a
 * namespace for {@link org.cunicu4j.testlab.WgPair}.
 */
package org.cunicu4j.e2e.wg;
