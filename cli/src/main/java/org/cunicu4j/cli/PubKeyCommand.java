package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.cunicu4j.wireguard.Key;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j wg pubkey}: reads a base64 private key from stdin (surrounding
 * whitespace such as the trailing newline is ignored) and prints its public key, as
 * {@code wg pubkey}. Invalid input: exit code 1 and one line on stderr.
 */
@Command(name = "pubkey", mixinStandardHelpOptions = true,
        description = "Read a private key from stdin and print its public key.")
final class PubKeyCommand implements Callable<Integer> {

    /** More than this on stdin cannot be a key plus whitespace worth reading. */
    private static final int MAX_INPUT = 4096;

    @Spec
    private CommandSpec spec;
    private final Stdio stdio;

    PubKeyCommand(Stdio stdio) {
        this.stdio = stdio;
    }

    @Override
    public Integer call() throws IOException {
        byte[] input = stdio.in().readNBytes(MAX_INPUT + 1);
        Key publicKey;
        try {
            if (input.length > MAX_INPUT) {
                throw new IllegalArgumentException("more than " + MAX_INPUT + " bytes");
            }
            publicKey = Key.parsePrivate(new String(input, StandardCharsets.US_ASCII).strip()).publicKey();
        } catch (IllegalArgumentException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("pubkey: invalid private key on stdin: " + e.getMessage());
            err.flush();
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(publicKey.toBase64());
        out.flush();
        return 0;
    }
}
