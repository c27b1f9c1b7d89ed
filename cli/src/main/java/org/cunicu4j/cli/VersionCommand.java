package org.cunicu4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cunicu4j version}: our version, the Java runtime and the OS, one per line. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print the cunicu4j version, the Java runtime and the OS.")
final class VersionCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        VersionInfo.lines().forEach(out::println);
        out.flush();
    }
}
