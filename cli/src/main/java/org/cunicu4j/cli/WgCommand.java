package org.cunicu4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cunicu4j wg ...}: the key tools and {@code show} of {@code wg(8)}, byte for byte compatible. */
@Command(name = "wg", mixinStandardHelpOptions = true,
        description = "WireGuard key tools, device status (compatible with wg(8)) and a userspace device.",
        subcommands = {GenKeyCommand.class, PubKeyCommand.class, GenPskCommand.class, WgShowCommand.class, WgDeviceCommand.class})
final class WgCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    /** Without a subcommand: a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
