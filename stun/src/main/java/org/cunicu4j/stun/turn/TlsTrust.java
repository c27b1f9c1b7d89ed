package org.cunicu4j.stun.turn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The {@link SSLContext}s a TURN-over-TLS client uses: the JDK's default trust, or trust
 * in exactly the certificates of a PEM file (a private CA or a server's self-signed
 * certificate, as in the test lab). Stateless.
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
}
