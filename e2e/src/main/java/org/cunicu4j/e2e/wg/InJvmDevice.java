package org.cunicu4j.e2e.wg;

import java.io.IOException;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.WgPair;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;

/**
 * cunicu4j's device inside this JVM, in a lab host's namespace, with its UAPI socket: for
 * tests that read the device's counters. The device is created on a thread in the namespace
 * (its threads inherit it), and every {@code apply} the UAPI server forwards runs on a fresh
 * thread there too, so sockets a {@code wg set listen-port} reopens are made in the host,
 * not in whatever namespace the server's virtual thread happens to run in. Thread-safe;
 * {@link #close()} stops the server and the device.
 */
public final class InJvmDevice implements AutoCloseable {
    private final Device device;
    private final AutoCloseable uapi;

    private InJvmDevice(Device device, AutoCloseable uapi) {
        this.device = device;
        this.uapi = uapi;
    }

    /** A {@link WgPair.Starter} making an in-JVM device with {@code options}; the side's handle is the InJvmDevice. */
    public static WgPair.Starter starter(DeviceOptions options) {
        return (host, ifname) -> NetNs.call(host.netns(), () -> {
            Device d = Device.create(ifname, options);
            try {
                return new InJvmDevice(d, Uapi.serve(ifname, inNamespace(host.netns(), d)));
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

    public Device device() {
        return device;
    }

    private static WireGuardControl inNamespace(String netns, Device d) {
        return new WireGuardControl() {
            @Override
            public String name() {
                return d.name();
            }

            @Override
            public DeviceStatus status() {
                return d.status();
            }

            @Override
            public void apply(DeviceUpdate update) throws IOException {
                try {
                    NetNs.call(netns, () -> {
                        d.apply(update);
                        return null;
                    });
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException("applying an update to " + d.name() + " in " + netns + ": " + e, e);
                }
            }
        };
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
