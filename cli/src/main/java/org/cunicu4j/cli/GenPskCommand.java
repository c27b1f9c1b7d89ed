package org.cunicu4j.cli;

import java.io.PrintWriter;
import org.cunicu4j.wireguard.Key;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cunicu4j wg genpsk}: 32 random bytes in base64, as {@code wg genpsk}. */
@Command(name = "genpsk", mixinStandardHelpOptions = true,
        description = "Print a new preshared key in base64.")
final class GenPskCommand implements Runnable {

    @Spec
    private CommandSpec spec;
    private final Stdio stdio;

    GenPskCommand(Stdio stdio) {
        this.stdio = stdio;
    }

    @Override
    public void run() {
        WorldAccessibleWarning.check(stdio, spec.commandLine().getErr());
        PrintWriter out = spec.commandLine().getOut();
        out.println(Key.generatePreshared().toBase64());
        out.flush();
    }
}
