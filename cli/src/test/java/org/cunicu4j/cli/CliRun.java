package org.cunicu4j.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;

/** Runs {@link Main} in-process with captured stdout and stderr; test support. */
record CliRun(int exitCode, String stdout, String stderr) {

    static CliRun withStdin(String stdin, String... args) {
        return runWith(Stdio.of(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))), args);
    }

    static CliRun run(String... args) {
        return withStdin("", args);
    }

    static CliRun runWithStdoutFile(Path stdoutFile, String... args) {
        return runWith(new Stdio(new ByteArrayInputStream(new byte[0]), Optional.of(stdoutFile)), args);
    }

    private static CliRun runWith(Stdio stdio, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(stdio);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
