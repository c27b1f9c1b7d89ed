package org.cunicu4j.e2e.wg;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.device.Timing;

/**
 * A cunicu4j WireGuard device with its UAPI socket, in the foreground, in the calling
 * process's network namespace, until SIGTERM (then the interface and the socket go and the
 * device's counters are printed): {@code DeviceMain <ifname> [option=value...]}. Configured
 * only through the socket, with {@code wg}.
 *
 * <p>Options (the protocol's timers shortened for lab tests): {@code rekey-after-time=SECONDS},
 * {@code reject-after-time=SECONDS}, {@code rekey-after-messages=N},
 * {@code handshake-load-threshold=N} (0: demand cookies always), {@code tun-offload=false} (a
 * plain TUN instead of one with TSO and checksum offload).
 */
public final class DeviceMain {
    private DeviceMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DeviceMain <ifname> [rekey-after-time=S] [reject-after-time=S] "
                    + "[rekey-after-messages=N] [handshake-load-threshold=N] [tun-offload=BOOL]");
            System.exit(2);
        }
        DeviceOptions options = options(args);
        Device device = Device.create(args[0], options);
        AutoCloseable uapi;
        try {
            uapi = Uapi.serve(args[0], device);
        } catch (Exception e) {
            device.close();
            throw e;
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                uapi.close();
            } catch (Exception e) {
                // the device must still go
            }
            device.close();
            System.out.println("counters " + device.counters());
            System.out.flush();
            done.countDown();
        }, "device-shutdown"));
        System.out.println("ready " + args[0] + " " + options);
        done.await();
    }

    /** The device options {@code args[1..]} name (key=value), on the defaults. */
    public static DeviceOptions options(String... args) {
        DeviceOptions o = DeviceOptions.defaults();
        Timing t = o.timing();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected option=value, got " + args[i]);
            }
            switch (kv[0]) {
                case "rekey-after-time" -> t = t.withRekeyAfterTime(Duration.ofSeconds(Long.parseLong(kv[1])));
                case "reject-after-time" -> t = t.withRejectAfterTime(Duration.ofSeconds(Long.parseLong(kv[1])));
                case "rekey-after-messages" -> t = t.withRekeyAfterMessages(Long.parseLong(kv[1]));
                case "handshake-load-threshold" -> o = o.withHandshakeLoadThreshold(Integer.parseInt(kv[1]));
                case "tun-offload" -> o = o.withTunOffload(Boolean.parseBoolean(kv[1]));
                default -> throw new IllegalArgumentException("unknown option " + kv[0]);
            }
        }
        return o.withTiming(t);
    }
}
