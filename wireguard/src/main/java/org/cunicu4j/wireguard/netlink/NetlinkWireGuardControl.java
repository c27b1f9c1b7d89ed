package org.cunicu4j.wireguard.netlink;

import java.io.IOException;
import java.util.List;
import java.util.OptionalInt;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.netlink.GenericNetlink;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * {@link WireGuardControl} for a kernel WireGuard device through generic netlink (family
 * "wireguard"), in the network namespace of the thread that opened it.
 *
 * <p>Owns its netlink socket; thread-safe (requests run one after another).
 */
public final class NetlinkWireGuardControl implements WireGuardControl {
    /** Why {@link #open} fails on a kernel without WireGuard. */
    public static final String NO_FAMILY = "the kernel has no wireguard generic-netlink family";

    private final String name;
    private final GenericNetlink netlink;
    private final int family;

    private NetlinkWireGuardControl(String name, GenericNetlink netlink, int family) {
        this.name = name;
        this.netlink = netlink;
        this.family = family;
    }

    /**
     * Opens a control for kernel device {@code ifname} (its existence is checked by the
     * first request).
     *
     * @throws NoWireGuardFamilyException when the kernel has no wireguard family
     */
    public static NetlinkWireGuardControl open(String ifname) throws IOException {
        GenericNetlink nl = GenericNetlink.open();
        try {
            OptionalInt id = nl.familyId(WgNl.FAMILY);
            if (id.isEmpty()) {
                throw new NoWireGuardFamilyException(NO_FAMILY + " (modprobe wireguard?)");
            }
            return new NetlinkWireGuardControl(ifname, nl, id.getAsInt());
        } catch (IOException | RuntimeException e) {
            nl.close();
            throw e;
        }
    }

    /** Whether the kernel of the calling thread's namespace has the wireguard family. */
    public static boolean available() throws IOException {
        try (GenericNetlink nl = GenericNetlink.open()) {
            return nl.familyId(WgNl.FAMILY).isPresent();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceStatus status() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                List<byte[]> replies = netlink.request(family, WgNl.WG_CMD_GET_DEVICE, WgNl.VERSION, true,
                        WgNetlinkCodec.getDevice(name), "WG_CMD_GET_DEVICE(" + name + ")");
                return WgNetlinkCodec.parseDevice(replies);
            } catch (LinuxException e) {
                // NLM_F_DUMP_INTR: peers changed during a multi-message dump; a fresh dump is consistent
                if (e.errno() != Errno.EINTR || attempt >= MAX_DUMP_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Dumps tried when the kernel reports each one interrupted by a concurrent change. */
    static final int MAX_DUMP_ATTEMPTS = 5;

    @Override
    public void apply(DeviceUpdate update) throws IOException {
        List<byte[]> messages = WgNetlinkCodec.setDevice(name, update);
        for (int i = 0; i < messages.size(); i++) {
            netlink.request(family, WgNl.WG_CMD_SET_DEVICE, WgNl.VERSION, false, messages.get(i),
                    "WG_CMD_SET_DEVICE(" + name + (messages.size() > 1 ? ", part " + (i + 1) + "/" + messages.size() : "") + ")");
        }
    }

    @Override
    public void close() {
        netlink.close();
    }

    @Override
    public String toString() {
        return "NetlinkWireGuardControl[" + name + "]";
    }

    /** The kernel has no WireGuard generic-netlink family. */
    public static final class NoWireGuardFamilyException extends IOException {
        public NoWireGuardFamilyException(String message) {
            super(message);
        }
    }
}
