package org.cunicu4j.signaling.server;

import org.cunicu4j.signaling.proto.BuildInfo;

/** Builds the {@code BuildInfo} the server reports. */
public final class BuildInfos {

    private BuildInfos() {}

    /** {@code version} plus this JVM's OS and architecture, named the way Go names them. */
    public static BuildInfo of(String version) {
        return BuildInfo.newBuilder()
                .setVersion(version)
                .setOs(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT))
                .setArch(goArch(System.getProperty("os.arch", "")))
                .setBuiltBy("cunicu4j")
                .build();
    }

    /** The jar manifest's implementation version, else {@code unknown}. */
    static BuildInfo ofThisJar() {
        String v = BuildInfos.class.getPackage().getImplementationVersion();
        return of(v == null ? "unknown" : v);
    }

    private static String goArch(String javaArch) {
        return switch (javaArch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> javaArch;
        };
    }
}
