package org.cunicu4j.daemon.config;

/**
 * The {@code listen_port_range} an interface picks its port from when {@code listen_port} is
 * not set: {@code min..max} inclusive. Immutable.
 */
public record PortRange(int min, int max) {
    /** cunicu4j's default, 51820..51899. */
    public static final PortRange DEFAULT = new PortRange(51820, 51899);

    public PortRange {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException("port range must satisfy 1 <= min <= max <= 65535, got " + min + ".." + max);
        }
    }

    /** True when {@code port} lies in the range. */
    public boolean contains(int port) {
        return port >= min && port <= max;
    }

    @Override
    public String toString() {
        return min + "-" + max;
    }
}
