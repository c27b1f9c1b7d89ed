package org.cunicu4j.e2e.wg;

import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.WgPair;
import org.cunicu4j.wireguard.conn.BindCounters;
import org.cunicu4j.wireguard.conn.UdpBind;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.tun.LinuxTun;
import org.cunicu4j.wireguard.tun.VnetTun;

/**
 * cunicu4j's device inside this JVM, in a lab host's namespace, with its UAPI socket: for
 * tests that read the device's counters and those of its default {@link UdpBind} (which
 * drops, and counts, datagrams that do not look like WireGuard before the device sees them).
 * The device is created on a thread in the namespace, and its threads inherit it (a
 * {@code wg set listen-port} through the UAPI socket reopens the Bind on the device's own
 * control thread, so in the host's namespace too). Thread-safe; {@link #close()} stops the
 * server and the device.
 */
public final class InJvmDevice implements AutoCloseable {
    private final Device device;
    private final UdpBind bind;
    private final AutoCloseable uapi;

    private InJvmDevice(Device device, UdpBind bind, AutoCloseable uapi) {
        this.device = device;
        this.bind = bind;
        this.uapi = uapi;
    }

    /** A {@link WgPair.Starter} making an in-JVM device with {@code options}; the side's handle is the InJvmDevice. */
    public static WgPair.Starter starter(DeviceOptions options) {
        return (host, ifname) -> NetNs.call(host.netns(), () -> {
            // what Device.create does, keeping the Bind for its counters
            UdpBind bind = new UdpBind();
            Device d = Device.open(options.tunOffload() ? VnetTun.create(ifname, options.mtu())
                    : LinuxTun.create(ifname, options.mtu()), bind, options);
            try {
                return new InJvmDevice(d, bind, Uapi.serve(ifname, d));
            } catch (Exception e) {
                d.close();
                throw e;
            }
        });
    }

    /** The device a {@link WgPair.Side} made by {@link #starter} runs. */
    public static Device of(WgPair.Side side) {
        return ((InJvmDevice) side.handle()).device;
    }

    /** The counters of the device's Bind of a {@link WgPair.Side} made by {@link #starter}. */
    public static BindCounters bindCounters(WgPair.Side side) {
        return ((InJvmDevice) side.handle()).bind.counters();
    }

    public Device device() {
        return device;
    }

    @Override
    public void close() throws Exception {
        try {
            uapi.close();
        } finally {
            device.close();
        }
    }
}
