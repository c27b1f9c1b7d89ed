package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cunicu4j.daemon.autocfg.DerivedAddresses;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.AddressText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j addresses [--prefix P]...}: reads a base64 public key from stdin
 * (surrounding whitespace ignored) and prints the addresses auto-configuration derives from
 * it, one per line with the prefix length, in the order of the prefixes (default
 * {@code fc2f:9a4d::/32} and {@code 10.237.0.0/16}, as cunīcu's {@code addresses}). A bad
 * key on stdin: exit code 1 and one line on stderr, as {@code wg pubkey}; a bad
 * {@code --prefix}: a usage error, exit code 2.
 */
@Command(name = "addresses", mixinStandardHelpOptions = true,
        description = {"Read a public key from stdin and print the addresses derived from it.",
            "Example: cunicu4j wg genkey | cunicu4j wg pubkey | cunicu4j addresses"})
final class AddressesCommand implements Callable<Integer> {

    /** More than this on stdin cannot be a key plus whitespace worth reading. */
    private static final int MAX_INPUT = 4096;

    @Spec
    private CommandSpec spec;
    private final Stdio stdio;

    @Option(names = {"-p", "--prefix"}, paramLabel = "PREFIX", converter = PrefixConverter.class,
            description = "A prefix to derive an address in (repeatable; default fc2f:9a4d::/32 and 10.237.0.0/16).")
    private List<IpPrefix> prefixes = new ArrayList<>();

    AddressesCommand(Stdio stdio) {
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
            publicKey = Key.parsePublic(new String(input, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("addresses: invalid public key on stdin: " + e.getMessage());
            err.flush();
            return 1;
        }
        List<IpPrefix> in = prefixes.isEmpty() ? DerivedAddresses.DEFAULT_PREFIXES : prefixes;
        PrintWriter out = spec.commandLine().getOut();
        for (IpPrefix a : DerivedAddresses.addresses(publicKey, in)) {
            out.println(AddressText.format(a));
        }
        out.flush();
        return 0;
    }

    /** {@link IpPrefix#parse}; its message names the text and the problem. */
    static final class PrefixConverter implements CommandLine.ITypeConverter<IpPrefix> {
        @Override
        public IpPrefix convert(String value) {
            try {
                return IpPrefix.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
