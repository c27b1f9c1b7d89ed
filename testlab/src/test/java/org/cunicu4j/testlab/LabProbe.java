package org.cunicu4j.testlab;

/**
 * A child JVM for {@link JvmLifecycleTest}: opens a lab with one host running {@code sleep},
 * prints {@code netns=...}, {@code pid=...} and {@code ready}, then exits normally
 * ({@code exit}: the shutdown hook must clean up) or waits to be killed ({@code hang}).
 */
public final class LabProbe {
    private LabProbe() {}

    public static void main(String[] args) throws InterruptedException {
        Lab lab = Lab.open();
        Host h = lab.host("probe");
        LabProcess sleeper = h.start("sleep", "600");
        System.out.println("netns=" + h.netns());
        System.out.println("pid=" + sleeper.pid());
        System.out.println("ready");
        System.out.flush();
        if (args.length > 0 && args[0].equals("hang")) {
            Thread.sleep(600_000); // waits for SIGKILL from the test, not synchronisation
        }
    }
}
