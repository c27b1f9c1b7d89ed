package org.cunicu4j.daemon.hsync;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.cunicu4j.net.IpLiterals;
import org.cunicu4j.wireguard.Key;

/**
 * One tagged hosts-file line, in cunīcu's format:
 * {@code ADDRESS NAME... # cunicu: ifname=IF, ifindex=N, pk=KEY} ({@code ifindex} left out
 * when unknown). {@link #isOurs} is the single test of ownership: a line belongs to interface
 * {@code IF} only when it is a host line (an IP literal and at least one name before the
 * {@code #}) whose comment starts with {@code cunicu:} and whose comma-separated
 * {@code key=value} list holds {@code ifname=IF} exactly. Stateless.
 */
final class HostLine {
    /** The comment's first word, as cunīcu writes it, so both manage (and clean up) the same lines. */
    static final String TAG = "cunicu:";

    private HostLine() {}

    /** The text of a tagged line, without a line terminator. */
    static String format(InetAddress address, List<String> names, String ifname, int ifindex, Key peer) {
        StringBuilder sb = new StringBuilder(format(address));
        for (String n : names) {
            sb.append(' ').append(n);
        }
        sb.append(" # ").append(TAG).append(" ifname=").append(ifname);
        if (ifindex > 0) {
            sb.append(", ifindex=").append(ifindex);
        }
        sb.append(", pk=").append(peer.toBase64());
        return sb.toString();
    }

    /** True if {@code line} (without its terminator) is a line {@link #format} wrote for {@code ifname}. */
    static boolean isOurs(String line, String ifname) {
        int hash = line.indexOf('#');
        if (hash < 0) {
            return false;
        }
        String[] fields = line.substring(0, hash).strip().split("[ \t]+");
        if (fields.length < 2 || !isAddress(fields[0])) {
            return false;
        }
        String comment = line.substring(hash + 1).strip();
        if (!comment.startsWith(TAG)) {
            return false;
        }
        for (String kv : comment.substring(TAG.length()).split(",")) {
            String t = kv.strip();
            if (t.equals("ifname=" + ifname)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAddress(String s) {
        try {
            IpLiterals.parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** An address in its shortest usual form: dotted quad, or RFC 5952 IPv6 (zones dropped). */
    static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952 4.2.2: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        assert a instanceof Inet6Address;
        return sb.toString();
    }
}
