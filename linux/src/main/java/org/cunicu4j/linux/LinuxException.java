package org.cunicu4j.linux;

import java.io.IOException;

/**
 * A failed Linux call, named with its arguments and the errno:
 * {@code socket(AF_INET, SOCK_RAW, IPPROTO_UDP): EPERM (Operation not permitted)}.
 *
 * <p>A hint may follow after " — " when the failure has a known cause the user can fix,
 * such as a missing capability.
 */
public class LinuxException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public LinuxException(String call, int errno) {
        this(call, errno, null);
    }

    public LinuxException(String call, int errno, String hint) {
        super(format(call, errno) + (hint == null ? "" : " — " + hint));
        this.call = call;
        this.errno = errno;
    }

    /** The call with its arguments as shown in the message: {@code socket(AF_INET, SOCK_RAW, IPPROTO_UDP)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** {@code call: ENAME (description)} without any hint. */
    public static String format(String call, int errno) {
        return call + ": " + Errno.name(errno) + " (" + Errno.description(errno) + ")";
    }

    /** Throws for {@code ret < 0} with this thread's captured errno; returns {@code ret} otherwise. */
    public static int check(int ret, String call) throws LinuxException {
        if (ret < 0) {
            throw new LinuxException(call, Libc.errno());
        }
        return ret;
    }

    public static long check(long ret, String call) throws LinuxException {
        if (ret < 0) {
            throw new LinuxException(call, Libc.errno());
        }
        return ret;
    }
}
