package org.cunicu4j.wireguard.device;

import java.util.Objects;
import org.cunicu4j.wireguard.Key;

/**
 * How a {@link Device} is made. Immutable; start from {@link #defaults()} and change with
 * the {@code with...} methods.
 *
 * @param mtu the TUN MTU (1420 by default, as wireguard-go); transport packets are padded up to it
 * @param privateKey the device's private key, or null to set it later through {@link Device#apply}
 * @param listenPort 0: let the system choose
 * @param fwmark SO_MARK for the Bind's sockets, 0 for none
 * @param clock the time source and timer ticker ({@link Clock#system()}; a {@link FakeClock} in tests)
 * @param timing the protocol's limits and timers
 * @param workers 2 or more: the send path is a two-stage pipeline (TUN reader, sealer/sender);
 *     1: one thread does both (more workers are reserved for parallel sealing, not done yet)
 * @param handshakeLoadThreshold the number of queued handshake messages from which the device is
 *     "under load" and demands cookies (MAC2); 0 means always under load (tests)
 * @param tunOffload {@link #create}-made TUNs use {@code IFF_VNET_HDR} with TSO and checksum
 *     offload (one read carries a 64 KB TCP super-packet, segmented by us); false: plain TUN
 */
public record DeviceOptions(
        int mtu,
        Key privateKey,
        int listenPort,
        int fwmark,
        Clock clock,
        Timing timing,
        int workers,
        int handshakeLoadThreshold,
        boolean tunOffload) {

    public static final int DEFAULT_MTU = 1420;

    public DeviceOptions {
        if (mtu < 576 || mtu > 65535 - 80) {
            throw new IllegalArgumentException("mtu must be 576.." + (65535 - 80) + ", got " + mtu);
        }
        if (privateKey != null && privateKey.type() != Key.Type.PRIVATE) {
            throw new IllegalArgumentException("privateKey must be a private key, got a " + privateKey.type() + " key");
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listenPort must be 0..65535, got " + listenPort);
        }
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(timing, "timing");
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (handshakeLoadThreshold < 0) {
            throw new IllegalArgumentException("handshakeLoadThreshold must be >= 0, got " + handshakeLoadThreshold);
        }
    }

    /** The options without {@code tunOffload} (which is then on), as the record was first published. */
    public DeviceOptions(int mtu, Key privateKey, int listenPort, int fwmark, Clock clock, Timing timing, int workers,
            int handshakeLoadThreshold) {
        this(mtu, privateKey, listenPort, fwmark, clock, timing, workers, handshakeLoadThreshold, true);
    }

    /** MTU 1420, no key, a system-chosen port, the system clock, the specification's timers. */
    public static DeviceOptions defaults() {
        return new DeviceOptions(DEFAULT_MTU, null, 0, 0, Clock.system(), Timing.DEFAULT,
                Math.max(1, Runtime.getRuntime().availableProcessors()), 128, true);
    }

    public DeviceOptions withMtu(int v) {
        return new DeviceOptions(v, privateKey, listenPort, fwmark, clock, timing, workers, handshakeLoadThreshold, tunOffload);
    }

    public DeviceOptions withPrivateKey(Key v) {
        return new DeviceOptions(mtu, v, listenPort, fwmark, clock, timing, workers, handshakeLoadThreshold, tunOffload);
    }

    public DeviceOptions withListenPort(int v) {
        return new DeviceOptions(mtu, privateKey, v, fwmark, clock, timing, workers, handshakeLoadThreshold, tunOffload);
    }

    public DeviceOptions withFwmark(int v) {
        return new DeviceOptions(mtu, privateKey, listenPort, v, clock, timing, workers, handshakeLoadThreshold, tunOffload);
    }

    public DeviceOptions withClock(Clock v) {
        return new DeviceOptions(mtu, privateKey, listenPort, fwmark, v, timing, workers, handshakeLoadThreshold, tunOffload);
    }

    public DeviceOptions withTiming(Timing v) {
        return new DeviceOptions(mtu, privateKey, listenPort, fwmark, clock, v, workers, handshakeLoadThreshold, tunOffload);
    }

    public DeviceOptions withWorkers(int v) {
        return new DeviceOptions(mtu, privateKey, listenPort, fwmark, clock, timing, v, handshakeLoadThreshold, tunOffload);
    }

    public DeviceOptions withHandshakeLoadThreshold(int v) {
        return new DeviceOptions(mtu, privateKey, listenPort, fwmark, clock, timing, workers, v, tunOffload);
    }

    public DeviceOptions withTunOffload(boolean v) {
        return new DeviceOptions(mtu, privateKey, listenPort, fwmark, clock, timing, workers, handshakeLoadThreshold, v);
    }

    /** Never shows the private key. */
    @Override
    public String toString() {
        return "DeviceOptions[mtu=" + mtu + ", privateKey=" + (privateKey == null ? "none" : "set") + ", listenPort="
                + listenPort + ", fwmark=" + fwmark + ", timing=" + timing + ", workers=" + workers
                + ", handshakeLoadThreshold=" + handshakeLoadThreshold + ", tunOffload=" + tunOffload + "]";
    }
}
