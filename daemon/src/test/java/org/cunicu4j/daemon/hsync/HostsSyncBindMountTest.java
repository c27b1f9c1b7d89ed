package org.cunicu4j.daemon.hsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /etc/hosts} as containers have it: a file bind-mounted over another, where
 * {@code rename} onto it fails with {@code EBUSY}. The mount lives in a private mount
 * namespace of one thread, so nothing outside the test sees it and it goes with the thread.
 */
@RequiresRoot
class HostsSyncBindMountTest {
    private static final int CLONE_NEWNS = 0x00020000;
    private static final long MS_BIND = 4096;
    private static final long MS_REC = 16384;
    private static final long MS_PRIVATE = 1 << 18;

    private static final MethodHandle UNSHARE = Libc.downcall("unshare",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle MOUNT = Libc.downcall("mount", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    @TempDir
    Path dir;

    @Test
    void aBindMountedHostsFileIsRewrittenInPlace() throws Exception {
        Path source = dir.resolve("container-hosts");
        Path hosts = dir.resolve("hosts");
        Files.writeString(source, HostsSyncTest.FOREIGN);
        Files.writeString(hosts, "# the file under the mount\n");
        Key alice = Key.generatePrivate().publicKey();

        String seen = inOwnMountNamespace(() -> {
            bind(source, hosts);
            try (HostsSync hs = new HostsSync(new HostsSync.Settings(hosts, null), "wg0", 0)) {
                hs.put(alice, "alice", List.of(InetAddress.ofLiteral("10.237.1.7")));
                assertThat(hs.lastWrite()).isEqualTo(HostsSync.WriteMode.IN_PLACE);
                assertThat(hs.writeFailures()).isZero();
                String text = Files.readString(hosts);
                hs.remove(alice);
                assertThat(Files.readString(hosts)).isEqualTo(HostsSyncTest.FOREIGN);
                hs.put(alice, "alice", List.of(InetAddress.ofLiteral("10.237.1.7")));
                return text;
            }
        });
        assertThat(seen).isEqualTo(HostsSyncTest.FOREIGN + "10.237.1.7 alice # cunicu: ifname=wg0, pk=" + alice.toBase64() + "\n");
        assertThat(Files.readString(source)).isEqualTo(HostsSyncTest.FOREIGN); // written through the mount, closed at the end
        assertThat(Files.readString(hosts)).isEqualTo("# the file under the mount\n"); // the mount went with the thread
        try (var s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(2); // no temporary file left behind
        }
    }

    @Test
    void aFullDiskFailsTheWriteAndLeavesTheFileAsItWas() throws Exception {
        Path fs = Files.createDirectory(dir.resolve("small"));
        Path hosts = fs.resolve("hosts");
        // two pages of foreign lines: an in-place write of more fits in them at first, then runs out
        String original = HostsSyncTest.FOREIGN + "# padding\n".repeat(600);
        inOwnMountNamespace(() -> {
            tmpfs(fs, "size=64k");
            Files.writeString(hosts, original);
            try (java.io.OutputStream out = Files.newOutputStream(fs.resolve("filler"))) {
                byte[] page = new byte[4096];
                while (true) {
                    out.write(page);
                    out.flush();
                }
            } catch (java.io.IOException full) {
                // the file system is full
            }
            List<String> add = new java.util.ArrayList<>();
            Key k = Key.generatePrivate().publicKey();
            for (int i = 0; i < 200; i++) {
                add.add(HostLine.format(InetAddress.ofLiteral("10.237.1." + (i % 250)), List.of("h" + i), "wg0", 0, k));
            }
            HostsFile file = new HostsFile(hosts);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> file.update(l -> HostLine.isOurs(l, "wg0"), add))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("No space left on device");
            assertThat(Files.readString(hosts)).isEqualTo(original);
            try (var s = Files.list(fs)) {
                assertThat(s.map(x -> x.getFileName().toString()).sorted().toList()).containsExactly("filler", "hosts");
            }
            return null;
        });
    }

    private static <T> T inOwnMountNamespace(Callable<T> task) throws Exception {
        FutureTask<T> f = new FutureTask<>(() -> {
            privateMountNamespace();
            return task.call();
        });
        Thread t = Thread.ofPlatform().name("mntns-test").start(f);
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } finally {
            t.join();
        }
    }

    private static void privateMountNamespace() throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            check((int) UNSHARE.invokeExact(Libc.errnoState(), CLONE_NEWNS), "unshare(CLONE_NEWNS)");
            check((int) MOUNT.invokeExact(Libc.errnoState(), a.allocateFrom("none"), a.allocateFrom("/"),
                    MemorySegment.NULL, MS_REC | MS_PRIVATE, MemorySegment.NULL), "mount(/, MS_REC|MS_PRIVATE)");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static void bind(Path source, Path target) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            check((int) MOUNT.invokeExact(Libc.errnoState(), a.allocateFrom(source.toString()),
                    a.allocateFrom(target.toString()), MemorySegment.NULL, MS_BIND, MemorySegment.NULL),
                    "mount(" + source + ", " + target + ", MS_BIND)");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static void tmpfs(Path target, String options) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            check((int) MOUNT.invokeExact(Libc.errnoState(), a.allocateFrom("tmpfs"), a.allocateFrom(target.toString()),
                    a.allocateFrom("tmpfs"), 0L, a.allocateFrom(options)), "mount(tmpfs, " + target + ", " + options + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static void check(int rc, String call) throws LinuxException {
        if (rc < 0) {
            throw new LinuxException(call, Libc.errno(), null);
        }
    }
}
