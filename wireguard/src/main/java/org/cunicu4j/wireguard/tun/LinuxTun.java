package org.cunicu4j.wireguard.tun;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.linux.tun.TunDevice;

/**
 * A {@link Tun} over a Linux TUN interface ({@link TunDevice}), created in the calling
 * thread's network namespace with the given MTU and set up. Reads one packet per call for
 * now (the TUN queue has no non-blocking read to fill a batch).
 *
 * <p>Threading: as {@link Tun}.
 */
public final class LinuxTun implements Tun {
    private final TunDevice device;
    private final int mtu;

    private LinuxTun(TunDevice device, int mtu) {
        this.device = device;
        this.mtu = mtu;
    }

    /** Creates the interface {@code name}, sets its MTU and brings it up. */
    public static LinuxTun create(String name, int mtu) throws IOException {
        TunDevice device = TunDevice.open(name);
        try (RtNetlink rt = RtNetlink.open()) {
            rt.setMtu(device.index(), mtu);
            rt.setUp(device.index(), true);
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
        return new LinuxTun(device, mtu);
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** The interface index. */
    public int index() {
        return device.index();
    }

    @Override
    public int read(ByteBuffer[] buffers, int max) throws IOException {
        ByteBuffer b = buffers[0];
        int pos = b.position();
        int n = device.read(b);
        b.limit(pos + n);
        b.position(pos);
        return 1;
    }

    @Override
    public boolean write(ByteBuffer packet) throws IOException {
        return device.write(packet) >= 0;
    }

    @Override
    public void close() {
        device.close();
    }

    @Override
    public String toString() {
        return "LinuxTun[" + device + ", mtu " + mtu + "]";
    }
}
