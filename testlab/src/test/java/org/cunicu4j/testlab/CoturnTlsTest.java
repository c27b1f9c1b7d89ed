package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "ss", "turnserver", "openssl"})
class CoturnTlsTest {

    @Test
    void tlsListensWithASelfSignedCertificateForItsAddress() throws Exception {
        try (Lab lab = Lab.open()) {
            Host server = lab.publicHost("server", "198.18.0.30/15");
            Host client = lab.publicHost("client", "198.18.0.31/15");
            Coturn turn = Coturn.builder(server).user("u", "p").tls().start();
            assertThat(turn.tlsPort()).isEqualTo(Coturn.DEFAULT_TLS_PORT);
            assertThat(Files.readString(turn.certFile())).startsWith("-----BEGIN CERTIFICATE-----");

            Exec.Result r = Exec.run(Duration.ofSeconds(15), client.inNetns("openssl", "s_client", "-brief",
                    "-connect", "198.18.0.30:" + turn.tlsPort(), "-CAfile", turn.certFile().toString(),
                    "-verify_ip", "198.18.0.30", "-verify_return_error"), Map.of(), "");
            assertThat(r.stdout() + r.stderr()).as(r.toString()).contains("Verification: OK");
            assertThat(Exec.run(Duration.ofSeconds(5), List.of("openssl", "x509", "-noout", "-subject", "-in",
                    turn.certFile().toString())).stdout()).contains("coturn.lab");
        }
    }
}
