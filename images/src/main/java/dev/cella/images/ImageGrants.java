package dev.cella.images;

import dev.cella.sandbox.Mount;
import java.util.List;
import java.util.Set;

/**
 * What the command line granted a cell of an image, checked against what the image asks for.
 * An image never grants itself anything: every mount, the host clock and entropy, every network
 * and service it asks for must be given on the command line too (the image only says what the
 * guest expects, so that a missing grant fails at start with a clear message, not later inside
 * the guest).
 *
 * @param mounts the mounts given on the command line
 * @param clock true if the host clock was granted
 * @param random true if host entropy was granted
 * @param forwarded the guest ports a host socket forwards to ({@code --listen}, {@code --publish}, app {@code ports})
 * @param connectAllow the host addresses the guest may connect to, as {@code HOST:PORT}
 * @param networks the virtual networks the cell is on, by name
 * @param services the services granted, by name
 */
public record ImageGrants(List<Mount> mounts, boolean clock, boolean random, Set<Integer> forwarded,
        Set<String> connectAllow, Set<String> networks, Set<String> services) {

    /**
     * Checks that every request of {@code spec} is granted.
     *
     * @param image names the image in messages
     * @throws ImageException (NOT_GRANTED) naming the first request not granted and the option that grants it
     */
    public void check(ImageSpec spec, String image) {
        for (ImageSpec.MountRequest r : spec.mounts()) {
            String path = new Mount(java.nio.file.Path.of("/"), r.path(), true).guestPath(); // normalized
            Mount m = mounts.stream().filter(g -> g.guestPath().equals(path)).findFirst().orElse(null);
            if (m == null) {
                throw refused(image, "a mount at " + r.path() + (r.writable() ? " (read-write)" : ""),
                        "--mount HOST:" + r.path() + (r.writable() ? ":rw" : ""));
            }
            if (r.writable() && m.readOnly()) {
                throw new ImageException(ImageException.Kind.NOT_GRANTED, image + ": the image asks for a read-write "
                        + "mount at " + r.path() + ", but it is mounted read-only; give --mount HOST:" + r.path() + ":rw");
            }
        }
        if (spec.clock() && !clock) {
            throw refused(image, "the host clock", "--allow-clock");
        }
        if (spec.random() && !random) {
            throw refused(image, "host entropy", "--allow-random");
        }
        for (int port : spec.net().listen()) {
            if (!forwarded.contains(port)) {
                throw refused(image, "a host listener forwarding to guest port " + port,
                        "--listen " + port + " or --publish HOSTPORT:" + port + " (in an app: ports: [HOSTPORT:" + port + "])");
            }
        }
        for (String c : spec.net().connect()) {
            if (!connectAllow.contains(c)) {
                throw refused(image, "connections to host address " + c, "--connect-allow " + c);
            }
        }
        for (String n : spec.networks()) {
            if (!networks.contains(n)) {
                throw refused(image, "virtual network '" + n + "'", "the image's group in an app file (cella up) "
                        + "'networks: [" + n + "]'");
            }
        }
        for (String s : spec.services()) {
            if (!services.contains(s)) {
                throw refused(image, "service '" + s + "'", "--service " + s);
            }
        }
    }

    private static ImageException refused(String image, String what, String option) {
        return new ImageException(ImageException.Kind.NOT_GRANTED, image + ": the image asks for " + what
                + ", which was not granted; an image grants itself nothing: give " + option + " to allow it");
    }
}
