package org.cunicu4j.linux.nft;

import java.io.IOException;

/**
 * libnftables refused a command buffer: the message carries nft's own error text (what it
 * would print on stderr, e.g. {@code Error: Could not process rule: Operation not permitted}).
 */
public final class NftException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String nftError;

    public NftException(String message, String nftError) {
        super(message);
        this.nftError = nftError;
    }

    /** nft's error text, trimmed (may be empty when nft printed nothing). */
    public String nftError() {
        return nftError;
    }
}
