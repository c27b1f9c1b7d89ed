package org.cunicu4j.stun.url;

/**
 * A STUN or TURN URL that cannot be parsed; the message names the URL (with any password
 * masked) and what is wrong with it.
 */
public final class UrlSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UrlSyntaxException(String url, String problem) {
        super("invalid STUN/TURN URL \"" + ServerUrls.mask(url) + "\": " + problem);
    }
}
