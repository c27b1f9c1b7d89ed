package org.cunicu4j.proxy;

import java.io.IOException;

/**
 * A port-sharing mode cannot serve this interface here: its prerequisites do not hold (a
 * library or tool missing, a capability lacking, a self-test that failed). The message says
 * which and is shown in status as the reason of the fallback, so it reads as a complete
 * sentence fragment, e.g. {@code "libnftables.so.1 not found (install libnftables1)"}.
 */
public final class ProxyUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ProxyMode mode;

    public ProxyUnavailableException(ProxyMode mode, String why) {
        super(mode.configName() + " unavailable: " + why);
        this.mode = mode;
    }

    public ProxyUnavailableException(ProxyMode mode, String why, Throwable cause) {
        super(mode.configName() + " unavailable: " + why, cause);
        this.mode = mode;
    }

    /** The mode that cannot serve. */
    public ProxyMode mode() {
        return mode;
    }
}
