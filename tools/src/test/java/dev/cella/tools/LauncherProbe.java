package dev.cella.tools;

/**
 * The program {@link LauncherTest} puts in a jar of its own and starts through bin/cella: prints
 * its arguments on one line and exits with the status its second argument gives (the first is the command, {@code run}).
 * On standard error it says whether the launcher asked for the archive's training run ({@link ArchiveTraining}).
 */
public final class LauncherProbe {
    private LauncherProbe() {}

    public static void main(String[] args) {
        System.out.println("probe " + String.join(" ", args));
        System.err.println("training " + Boolean.getBoolean(ArchiveTraining.PROPERTY));
        System.exit(Integer.parseInt(args[1]));
    }
}
