package org.cunicu4j.stun.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The {@link SSLContext}s a TURN-over-TLS (or STUN-over-TLS) client uses: the JDK's
 * default trust, or trust in exactly the certificates of a PEM file (a private CA or a
 * server's self-signed certificate, as in the test lab); and the client handshake that
 * checks the server's certificate against its name or IP address — always: there is no
 * way to skip the check. Every TLS connection of this library (STUN, TURN, netcheck) goes
 * through {@link #handshake}. Stateless.
 */
public final class TlsTrust {
    private TlsTrust() {}

    /** The JDK's default context (its cacerts). */
    public static SSLContext systemDefault() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no default TLS context in this JDK", e);
        }
    }

    /** A context trusting only the certificates in {@code pemFile}. */
    public static SSLContext trusting(Path pemFile) throws IOException {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException("no certificate in " + pemFile);
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the certificates in " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts TLS over the connected {@code tcp} socket and completes the handshake within
     * {@code timeout}, checking the certificate against {@code name} (a host name, sent as
     * SNI too, or an IP literal matched against the certificate's IP addresses). The
     * returned socket owns {@code tcp}; on failure both are closed.
     */
    public static SSLSocket handshake(Socket tcp, SSLContext ctx, String name, Duration timeout) throws IOException {
        return handshake(tcp, ctx.getSocketFactory(), name, timeout);
    }

    /**
     * As {@link #handshake(Socket, SSLContext, String, Duration)} with a socket factory;
     * a null {@code name} means the server's IP literal (so the certificate must carry that
     * IP address).
     */
    public static SSLSocket handshake(Socket tcp, SSLSocketFactory factory, String name, Duration timeout)
            throws IOException {
        InetSocketAddress server = (InetSocketAddress) tcp.getRemoteSocketAddress();
        if (name == null) {
            name = server.getAddress().getHostAddress();
        }
        SSLSocket tls;
        try {
            tls = (SSLSocket) factory.createSocket(tcp, name, server.getPort(), true);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
        try {
            SSLParameters params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            if (isHostName(name)) {
                params.setServerNames(List.of(new SNIHostName(name)));
            }
            tls.setSSLParameters(params);
            tls.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            tls.startHandshake();
            tls.setSoTimeout(0);
            return tls;
        } catch (IOException | RuntimeException e) {
            tls.close();
            throw new IOException("TLS handshake with " + server.getAddress().getHostAddress() + ":" + server.getPort()
                    + " (as \"" + name + "\") failed: " + e.getMessage(), e);
        }
    }

    private static boolean isHostName(String name) {
        return name.indexOf(':') < 0 && !name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
