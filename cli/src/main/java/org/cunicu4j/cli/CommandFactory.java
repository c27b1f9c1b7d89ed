package org.cunicu4j.cli;

import picocli.CommandLine;

/**
 * Creates the command objects, handing {@link Stdio} to the commands that need it and
 * leaving the rest to picocli's default factory.
 */
final class CommandFactory implements CommandLine.IFactory {

    private final Stdio stdio;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    CommandFactory(Stdio stdio) {
        this.stdio = stdio;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        if (cls == PubKeyCommand.class) {
            return cls.cast(new PubKeyCommand(stdio));
        }
        if (cls == GenKeyCommand.class) {
            return cls.cast(new GenKeyCommand(stdio));
        }
        if (cls == AddressesCommand.class) {
            return cls.cast(new AddressesCommand(stdio));
        }
        if (cls == GenPskCommand.class) {
            return cls.cast(new GenPskCommand(stdio));
        }
        return fallback.create(cls);
    }
}
