package org.cunicu4j.e2e.wg;

/**
 * A cunicu4j WireGuard device with its UAPI socket, in the foreground, until SIGTERM:
 * {@code DeviceMain <ifname> [option=value...]}. Placeholder until the device lands.
 */
public final class DeviceMain {
    private DeviceMain() {}

    public static void main(String[] args) {
        throw new UnsupportedOperationException("the cunicu4j device is not merged yet");
    }
}
