package org.cunicu4j.daemon.hsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsSyncTest {

    /** A hosts file as a distribution ships it, plus hand-made lines that look like ours but are not. */
    static final String FOREIGN = String.join("\n",
            "127.0.0.1\tlocalhost",
            "127.0.1.1 ubuntu   ",
            "",
            "# The following lines are desirable for IPv6 capable hosts",
            "::1     ip6-localhost ip6-loopback",
            "fe00::0 ip6-localnet",
            "ff02::1 ip6-allnodes",
            "",
            "10.237.0.9 lookalike # cunicu: ifname=wg01, ifindex=3, pk=AAAA",
            "10.237.0.8 other # cunicu:ifname=wg0x",
            "# cunicu: ifname=wg0, pk=AAAA",
            "10.237.0.7 mine # not cunicu: ifname=wg0",
            "not-an-ip host # cunicu: ifname=wg0",
            "10.237.0.6 handmade # cunicu4j: ifname=wg0",
            "10.237.0.5 # cunicu: ifname=wg0",
            "192.0.2.1 windows-style\r",
            "") ;

    static final Key ALICE = Key.generatePrivate().publicKey();
    static final Key BOB = Key.generatePrivate().publicKey();

    @TempDir
    Path dir;

    private static List<InetAddress> addrs(String... literals) throws Exception {
        List<InetAddress> out = new java.util.ArrayList<>();
        for (String l : literals) {
            out.add(InetAddress.ofLiteral(l));
        }
        return out;
    }

    private Path hosts(String content) throws Exception {
        Path p = dir.resolve("hosts");
        Files.writeString(p, content);
        return p;
    }

    private static String read(Path p) throws Exception {
        return Files.readString(p);
    }

    /** The file's lines that are not {@code ours}, as they appear. */
    private static List<String> foreignLines(String text, String... ifnames) {
        return text.lines().filter(l -> {
            for (String i : ifnames) {
                if (HostLine.isOurs(l.strip(), i)) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    @Test
    void addsUpdatesAndRemovesPeersWithoutTouchingAnythingElse() throws Exception {
        Path p = hosts(FOREIGN);
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(p, null), "wg0", 9)) {
            hs.put(ALICE, "alice", addrs("fc2f:9a4d:1:0:0:0:0:7", "10.237.1.7"));
            String t = read(p);
            assertThat(t).startsWith(FOREIGN);
            assertThat(t.substring(FOREIGN.length())).isEqualTo(
                    "fc2f:9a4d:1::7 alice # cunicu: ifname=wg0, ifindex=9, pk=" + ALICE.toBase64() + "\n"
                    + "10.237.1.7 alice # cunicu: ifname=wg0, ifindex=9, pk=" + ALICE.toBase64() + "\n");
            assertThat(hs.lastWrite()).isEqualTo(HostsSync.WriteMode.RENAMED);

            hs.put(BOB, "bob", addrs("10.237.2.2"));
            hs.put(ALICE, "alice2", addrs("10.237.1.8")); // renamed and readdressed
            t = read(p);
            assertThat(t).startsWith(FOREIGN);
            assertThat(t.substring(FOREIGN.length()).lines().toList()).containsExactly(
                    "10.237.1.8 alice2 # cunicu: ifname=wg0, ifindex=9, pk=" + ALICE.toBase64(),
                    "10.237.2.2 bob # cunicu: ifname=wg0, ifindex=9, pk=" + BOB.toBase64());

            hs.remove(ALICE);
            assertThat(read(p).substring(FOREIGN.length()).lines().toList()).containsExactly(
                    "10.237.2.2 bob # cunicu: ifname=wg0, ifindex=9, pk=" + BOB.toBase64());
        }
        assertThat(read(p)).isEqualTo(FOREIGN); // close removed ours and only ours
    }

    @Test
    void ourLinesAnywhereInTheFileAreReplacedAndForeignOnesKeepTheirPlace() throws Exception {
        String stale = "10.237.3.3 old # cunicu: ifname=wg0, ifindex=4, pk=" + BOB.toBase64(); // from a previous run
        Path p = hosts("127.0.0.1 localhost\n" + stale + "\n# after\n");
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(p, ""), "wg0", 0)) {
            hs.put(ALICE, "alice", addrs("10.237.1.7"));
            assertThat(read(p)).isEqualTo("127.0.0.1 localhost\n# after\n10.237.1.7 alice # cunicu: ifname=wg0, pk="
                    + ALICE.toBase64() + "\n");
        }
        assertThat(read(p)).isEqualTo("127.0.0.1 localhost\n# after\n");
    }

    @Test
    void twoInterfacesKeepTheirOwnLines() throws Exception {
        Path p = hosts(FOREIGN);
        HostsSync wg0 = new HostsSync(new HostsSync.Settings(p, "mesh"), "wg0", 9);
        HostsSync wg1 = new HostsSync(new HostsSync.Settings(p, "other"), "wg1", 10);
        wg0.put(ALICE, "alice", addrs("10.237.1.7"));
        wg1.put(ALICE, "alice", addrs("10.238.1.7"));
        wg1.put(BOB, "bob", addrs("10.238.2.2"));
        wg0.put(BOB, "bob", addrs("10.237.2.2"));
        // each update appends that interface's lines at the end
        assertThat(read(p)).startsWith(FOREIGN);
        assertThat(read(p).substring(FOREIGN.length()).lines().toList()).containsExactly(
                "10.238.1.7 alice.other # cunicu: ifname=wg1, ifindex=10, pk=" + ALICE.toBase64(),
                "10.238.2.2 bob.other # cunicu: ifname=wg1, ifindex=10, pk=" + BOB.toBase64(),
                "10.237.1.7 alice.mesh # cunicu: ifname=wg0, ifindex=9, pk=" + ALICE.toBase64(),
                "10.237.2.2 bob.mesh # cunicu: ifname=wg0, ifindex=9, pk=" + BOB.toBase64());
        wg1.remove(BOB);
        wg0.close();
        assertThat(read(p)).isEqualTo(FOREIGN
                + "10.238.1.7 alice.other # cunicu: ifname=wg1, ifindex=10, pk=" + ALICE.toBase64() + "\n");
        wg1.close();
        assertThat(read(p)).isEqualTo(FOREIGN);
    }

    @Test
    void aPeerDescriptionsHostsMapGivesSeveralNamesPerAddress() throws Exception {
        Path p = hosts("");
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(p, ".mesh."), "wg0", 0)) {
            hs.put(ALICE, Map.of("alice", addrs("10.237.1.7", "fc2f:9a4d::7"), "www", addrs("10.237.1.7")));
            assertThat(read(p).lines().toList()).containsExactly(
                    "10.237.1.7 alice.mesh www.mesh # cunicu: ifname=wg0, pk=" + ALICE.toBase64(),
                    "fc2f:9a4d::7 alice.mesh # cunicu: ifname=wg0, pk=" + ALICE.toBase64());
        }
        assertThat(read(p)).isEmpty();
    }

    @Test
    void namesThatCouldBreakTheFileAreRefusedAndCounted() throws Exception {
        Path p = hosts(FOREIGN);
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(p, null), "wg0", 0)) {
            hs.put(ALICE, Map.of(
                    "evil\n192.0.2.66 bank.example", addrs("10.237.1.7"),
                    "two words", addrs("10.237.1.7"),
                    "x#y", addrs("10.237.1.7"),
                    "-dash", addrs("10.237.1.7"),
                    "a".repeat(64), addrs("10.237.1.7"),
                    "good", addrs("10.237.1.7")));
            assertThat(hs.rejectedNames()).isEqualTo(5);
            assertThat(read(p)).isEqualTo(FOREIGN + "10.237.1.7 good # cunicu: ifname=wg0, pk=" + ALICE.toBase64() + "\n");
            hs.put(BOB, "bad name", addrs("10.237.2.2")); // no valid name: no line
            assertThat(read(p)).doesNotContain(BOB.toBase64());
        }
        assertThatThrownBy(() -> new HostsSync.Settings(dir, "bad domain"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad domain'");
        assertThatThrownBy(() -> new HostsSync(new HostsSync.Settings(dir, null), "wg 0", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'wg 0'");
        assertThatThrownBy(() -> new HostsSync(new HostsSync.Settings(p, null), "wg0", 0)
                .put(Key.generatePrivate(), "x", addrs("10.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE");
    }

    @Test
    void keepsModeAndOwnerAndReplacesTheFileByRename() throws Exception {
        Path p = hosts(FOREIGN);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        }
        Object inode = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(p, null), "wg0", 0)) {
            hs.put(ALICE, "alice", addrs("10.237.1.7"));
            assertThat(hs.lastWrite()).isEqualTo(HostsSync.WriteMode.RENAMED);
            assertThat(Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isNotEqualTo(inode);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-r-----");
            if (root) {
                assertThat(Files.getOwner(p).getName()).isEqualTo("nobody");
            }
            try (var s = Files.list(dir)) {
                assertThat(s.map(x -> x.getFileName().toString()).toList()).containsExactly("hosts"); // no temp file left
            }
        }
    }

    @Test
    void syncRestoresRemovedLinesAndWritesNothingWhenAllIsRight() throws Exception {
        Path p = hosts(FOREIGN);
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(p, null), "wg0", 0)) {
            hs.put(ALICE, "alice", addrs("10.237.1.7"));
            String want = read(p);
            Object inode = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            hs.sync();
            assertThat(hs.lastWrite()).isEqualTo(HostsSync.WriteMode.UNCHANGED);
            assertThat(Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);

            Files.writeString(p, FOREIGN + "# someone's edit\n"); // an editor dropped our line
            hs.sync();
            assertThat(read(p)).isEqualTo(FOREIGN + "# someone's edit\n" + want.substring(FOREIGN.length()));
        }
    }

    @Test
    void aLastLineWithoutNewlineIsKeptAsIs() throws Exception {
        Path p = hosts("127.0.0.1 localhost\n10.0.0.1 last");
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(p, null), "wg0", 0)) {
            hs.put(ALICE, "alice", addrs("10.237.1.7"));
            assertThat(read(p)).isEqualTo("127.0.0.1 localhost\n10.0.0.1 last\n10.237.1.7 alice # cunicu: ifname=wg0, pk="
                    + ALICE.toBase64() + "\n");
        }
        assertThat(read(p)).isEqualTo("127.0.0.1 localhost\n10.0.0.1 last\n"); // only the terminator was added
        Path q = hosts("127.0.0.1 localhost\n10.0.0.1 last");
        new HostsSync(new HostsSync.Settings(q, null), "wg0", 0).close(); // nothing of ours: not written
        assertThat(read(q)).isEqualTo("127.0.0.1 localhost\n10.0.0.1 last");
    }

    @Test
    void followsASymlinkAndCreatesAMissingFile() throws Exception {
        Path target = hosts(FOREIGN);
        Path link = dir.resolve("hosts-link");
        Files.createSymbolicLink(link, target.getFileName());
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(link, null), "wg0", 0)) {
            hs.put(ALICE, "alice", addrs("10.237.1.7"));
        }
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(read(target)).isEqualTo(FOREIGN);

        Path missing = dir.resolve("sub-hosts");
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(missing, null), "wg0", 0)) {
            hs.remove(ALICE);
            assertThat(Files.exists(missing)).isFalse();
            hs.put(ALICE, "alice", addrs("10.237.1.7"));
            assertThat(read(missing)).isEqualTo("10.237.1.7 alice # cunicu: ifname=wg0, pk=" + ALICE.toBase64() + "\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(missing))).isEqualTo("rw-r--r--");
        }
    }

    @Test
    void aWriteThatFailsIsCountedAndRetriedByTheNextChange() throws Exception {
        Path p = dir.resolve("no-such-dir").resolve("hosts");
        HostsSync hs = new HostsSync(new HostsSync.Settings(p, null), "wg0", 0);
        hs.put(ALICE, "alice", addrs("10.237.1.7")); // logged, not thrown
        assertThat(hs.writeFailures()).isEqualTo(1);
        Files.createDirectories(p.getParent());
        hs.put(BOB, "bob", addrs("10.237.2.2"));
        assertThat(read(p).lines().toList()).hasSize(2);
        hs.close();
    }

    @Test
    void ipv6AddressesAreWrittenShort() throws Exception {
        String[][] vectors = {
                {"fc2f:9a4d:0:0:0:0:0:1", "fc2f:9a4d::1"},
                {"0:0:0:0:0:0:0:1", "::1"},
                {"fe80:0:0:0:0:0:0:0", "fe80::"},
                {"2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"},
                {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, // first of two equal runs
                {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // one zero group stays
                {"fe80:0:0:0:0:0:0:1%1", "fe80::1"},
        };
        for (String[] v : vectors) {
            InetAddress a = InetAddress.getByName(v[0]); // literals only: no lookup
            assertThat(HostLine.format(a)).as(v[0]).isEqualTo(v[1]);
        }
        Path p = hosts("");
        try (HostsSync hs = new HostsSync(new HostsSync.Settings(p, null), "wg0", 0)) {
            hs.put(ALICE, "alice", List.of(InetAddress.getByName("fe80::1%1")));
            assertThat(read(p)).startsWith("fe80::1 alice #");
        }
    }

    @Test
    void seededRandomForeignContentSurvivesEveryChange() throws Exception {
        long seed = System.nanoTime();
        java.util.Random r = new java.util.Random(seed);
        String[] pieces = {"10.237.1.7", "fc2f::1", "::1", "host", "alice", "#", "# cunicu:", "cunicu:", "ifname=wg1",
                "ifname=wg00", "ifname=wg", "ifname =wg0", "ifindex=9,", "pk=AAAA", ",", " ", "\t", "\r", "x", "cunicu: ifname=wg0x"};
        for (int round = 0; round < 1000; round++) {
            StringBuilder sb = new StringBuilder();
            int lines = r.nextInt(8);
            for (int l = 0; l < lines; l++) {
                int n = r.nextInt(7);
                for (int i = 0; i < n; i++) {
                    sb.append(pieces[r.nextInt(pieces.length)]).append(r.nextBoolean() ? " " : "");
                }
                if (l < lines - 1 || r.nextBoolean()) {
                    sb.append('\n');
                }
            }
            String original = sb.toString();
            java.util.function.Predicate<String> ours = l -> HostLine.isOurs(l, "wg0");
            List<String> add = List.of(
                    HostLine.format(InetAddress.ofLiteral("10.237.1.7"), List.of("alice"), "wg0", 3, ALICE),
                    HostLine.format(InetAddress.ofLiteral("fc2f::7"), List.of("alice", "a"), "wg0", 0, ALICE));
            String with = HostsFile.rewrite(original, ours, add);
            assertThat(foreignLines(with, "wg0")).as("seed %d round %d", seed, round).isEqualTo(original.lines().toList());
            assertThat(with.lines().filter(ours).toList()).as("seed %d round %d", seed, round).isEqualTo(add);
            String without = HostsFile.rewrite(with, ours, List.of());
            boolean terminated = original.isEmpty() || original.endsWith("\n");
            assertThat(without).as("seed %d round %d", seed, round).isEqualTo(terminated ? original : original + "\n");
            assertThat(HostsFile.rewrite(original, ours, List.of())).as("seed %d round %d", seed, round).isEqualTo(original);
        }
    }

    @Test
    void ourLinesAreUtf8AndRecognisedAgainEvenWithANonAsciiInterfaceName() throws Exception {
        Path p = hosts("192.0.2.9 caf\u00e9\n");
        java.util.function.Predicate<String> ours = l -> HostLine.isOurs(l, "wg-\u00fc");
        String line = HostLine.format(InetAddress.ofLiteral("10.237.1.7"), List.of("alice"), "wg-\u00fc", 0, ALICE);
        HostsFile file = new HostsFile(p);
        file.update(ours, List.of(line));
        assertThat(file.update(ours, List.of(line))).isEqualTo(HostsSync.WriteMode.UNCHANGED);
        assertThat(Files.readString(p)).isEqualTo("192.0.2.9 caf\u00e9\n" + line + "\n"); // UTF-8 throughout
        file.update(ours, List.of());
        assertThat(Files.readString(p)).isEqualTo("192.0.2.9 caf\u00e9\n");
    }

    /** Bytes of other lines that are not UTF-8 (Latin-1 names, a broken sequence, NUL) survive byte for byte. */
    @Test
    void seededRandomRawHighBytesSurviveThroughTheFile() throws Exception {
        long seed = System.nanoTime();
        java.util.Random r = new java.util.Random(seed);
        Path p = dir.resolve("hosts");
        java.util.function.Predicate<String> ours = l -> HostLine.isOurs(l, "wg0");
        List<String> add = List.of(HostLine.format(InetAddress.ofLiteral("10.237.1.7"), List.of("alice"), "wg0", 3, ALICE));
        HostsFile file = new HostsFile(p);
        for (int round = 0; round < 100; round++) {
            java.io.ByteArrayOutputStream foreign = new java.io.ByteArrayOutputStream();
            int lines = 1 + r.nextInt(6);
            for (int l = 0; l < lines; l++) {
                foreign.writeBytes("192.0.2.1 h".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                int n = r.nextInt(12);
                for (int i = 0; i < n; i++) {
                    int b = r.nextInt(4) == 0 ? r.nextInt(0x80) : 0x80 + r.nextInt(0x80); // mostly high bytes
                    foreign.write(b == '\n' ? 0xff : b);
                }
                foreign.write('\n');
            }
            byte[] original = foreign.toByteArray();
            Files.write(p, original);
            assertThat(file.update(ours, add)).as("seed %d round %d", seed, round).isEqualTo(HostsSync.WriteMode.RENAMED);
            byte[] with = Files.readAllBytes(p);
            assertThat(java.util.Arrays.copyOf(with, original.length)).as("seed %d round %d", seed, round).isEqualTo(original);
            assertThat(new String(with, original.length, with.length - original.length, java.nio.charset.StandardCharsets.US_ASCII))
                    .as("seed %d round %d", seed, round).isEqualTo(add.getFirst() + "\n");
            file.update(ours, List.of());
            assertThat(Files.readAllBytes(p)).as("seed %d round %d", seed, round).isEqualTo(original);
        }
    }
}
