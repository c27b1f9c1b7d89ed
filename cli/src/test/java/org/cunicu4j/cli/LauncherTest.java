package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/cunicu4j}'s choice of Java and its messages, without a built jar; the runs
 * with the jar are in {@link LauncherIT}. Fake JDKs are tiny shell scripts that print a
 * {@code java -version} line.
 */
class LauncherTest {

    static final Path LAUNCHER = Path.of(System.getProperty("cunicu4j.launcher", "../bin/cunicu4j"));
    private static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    @TempDir
    Path tmp;

    static Exec.Result launch(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        return Exec.run(Exec.DEFAULT_TIMEOUT, cmd, env, "");
    }

    /** A directory that looks like a JDK whose java prints {@code versionLine} on -version. */
    private Path fakeJdk(String name, String versionLine) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("jvm").resolve(name).resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho '" + versionLine + "' >&2\nexit 1\n"); // exits 1: the launcher must not care
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin.getParent();
    }

    @Test
    void launcherIsExecutable() {
        assertThat(LAUNCHER).isRegularFile().isExecutable();
    }

    @Test
    void javaHomeWithJdk17IsRefusedWithTheExactMessage() throws IOException {
        if (!Files.isDirectory(JDK17)) {
            assumeTrue(Requirements.isCi(), "needs " + JDK17 + " (apt-get install openjdk-17-jre-headless)");
        }
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", JDK17.toString());
        env.put("CUNICU4J_JVM_DIR", Files.createDirectories(tmp.resolve("empty")).toString());
        Exec.Result r = launch(env, "version");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isEqualTo("cunicu4j needs JDK 25 or newer, but JAVA_HOME "
                + "(/usr/lib/jvm/java-17-openjdk-amd64) has Java 17. Set JAVA_HOME to a JDK 25, "
                + "e.g. /usr/lib/jvm/temurin-25-jdk-amd64.\n");
    }

    @Test
    void oldVersionFormatsAreParsed() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        for (String[] c : new String[][] {
            {"j8", "java version \"1.8.0_412\"", "8"},
            {"j17", "openjdk version \"17.0.15\" 2025-04-15", "17"},
            {"j11", "openjdk version \"11\" 2018-09-25", "11"},
        }) {
            Path jdk = fakeJdk(c[0], c[1]);
            Exec.Result r = launch(Map.of("JAVA_HOME", jdk.toString(), "CUNICU4J_JVM_DIR", empty.toString()));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).isEqualTo("cunicu4j needs JDK 25 or newer, but JAVA_HOME (" + jdk + ") has Java "
                    + c[2] + ". Set JAVA_HOME to a JDK 25, e.g. /usr/lib/jvm/temurin-25-jdk-amd64.\n");
        }
    }

    @Test
    void javaHomeWithoutJavaIsNamed() {
        Exec.Result r = launch(Map.of("JAVA_HOME", tmp.toString(), "CUNICU4J_JVM_DIR", tmp.toString()));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("cunicu4j needs JDK 25 or newer, but JAVA_HOME (" + tmp + ") has no bin/java.");
    }

    @Test
    void withoutJavaHomeItNamesEverythingItFound() throws IOException {
        Path j17 = fakeJdk("j17", "openjdk version \"17.0.15\" 2025-04-15");
        Path j8 = fakeJdk("j8", "java version \"1.8.0_412\"");
        Path pathDir = Files.createDirectories(tmp.resolve("path"));
        Files.createSymbolicLink(pathDir.resolve("java"), j17.resolve("bin/java"));
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", null);
        env.put("PATH", pathDir + ":/usr/bin:/bin");
        env.put("CUNICU4J_JVM_DIR", tmp.resolve("jvm").toString());
        Exec.Result r = launch(env, "version");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("cunicu4j needs JDK 25 or newer, but found only: java on PATH ("
                + pathDir.resolve("java") + ") is Java 17; " + j17 + " is Java 17; " + j8 + " is Java 8. "
                + "Install a JDK 25 or set JAVA_HOME to one, e.g. /usr/lib/jvm/temurin-25-jdk-amd64.\n");
    }

    @Test
    void withoutJavaHomeItPicksTheNewestJdk25FromTheJvmDirectory() throws IOException {
        fakeJdk("j17", "openjdk version \"17.0.15\" 2025-04-15");
        Path realHome = Path.of(System.getProperty("java.home"));
        Path skipped = Files.createSymbolicLink(tmp.resolve("jvm/current"), realHome); // symlinks are skipped
        Path copy = Files.createDirectories(tmp.resolve("jvm/jdk-new/bin"));
        Path java = Files.createSymbolicLink(copy.resolve("java"), realHome.resolve("bin/java"));
        try {
            Map<String, String> env = new HashMap<>();
            env.put("JAVA_HOME", null);
            env.put("PATH", toolsWithoutJava().toString());
            env.put("CUNICU4J_JVM_DIR", tmp.resolve("jvm").toString());
            env.put("CUNICU4J_JAR", tmp.resolve("missing.jar").toString());
            Exec.Result r = launch(env, "version");
            // Java was found (the real JDK behind jdk-new), so the next complaint is the jar
            assertThat(r.stderr()).isEqualTo("CUNICU4J_JAR (" + tmp.resolve("missing.jar") + ") is not a file.\n");
            assertThat(r.exitCode()).isEqualTo(1);
        } finally {
            Files.delete(java);
            Files.delete(skipped);
        }
    }

    /** A PATH directory with the tools the launcher uses, but no java. */
    private Path toolsWithoutJava() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tools"));
        for (String tool : List.of("env", "bash", "dirname", "readlink", "sed", "head", "printf")) {
            Path found = Requirements.findTool(tool);
            if (found != null) {
                Path wrapper = dir.resolve(tool);
                Files.writeString(wrapper, "#!/bin/sh\nexec " + found.toRealPath() + " \"$@\"\n");
                Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        return dir;
    }
}
