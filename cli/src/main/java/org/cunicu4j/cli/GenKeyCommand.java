package org.cunicu4j.cli;

import java.io.PrintWriter;
import org.cunicu4j.wireguard.Key;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cunicu4j wg genkey}: a new clamped private key in base64, as {@code wg genkey}. */
@Command(name = "genkey", mixinStandardHelpOptions = true,
        description = "Print a new private key in base64.")
final class GenKeyCommand implements Runnable {

    @Spec
    private CommandSpec spec;
    private final Stdio stdio;

    GenKeyCommand(Stdio stdio) {
        this.stdio = stdio;
    }

    @Override
    public void run() {
        WorldAccessibleWarning.check(stdio, spec.commandLine().getErr());
        PrintWriter out = spec.commandLine().getOut();
        out.println(Key.generatePrivate().toBase64());
        out.flush();
    }
}
