package dev.cella.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address and port, as a guest sees them. Virtual networks give their members
 * addresses in 10.0.0.0/8 ({@link Network}); {@code 127.0.0.0/8} is the cell itself unless a
 * grant names a host loopback address.
 *
 * @param ip the address, big-endian in an int (10.0.0.1 is 0x0A000001)
 * @param port 0 to 65535
 */
public record Address(int ip, int port) {
    public static final int ANY = 0;
    public static final int LOOPBACK = 0x7F000001;

    public Address {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 0..65535");
        }
    }

    boolean isLoopback() {
        return (ip >>> 24) == 127;
    }

    InetAddress inet() {
        byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    static int ipOf(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            return -1;
        }
        byte[] b = a.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    static String ipText(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF);
    }

    @Override
    public String toString() {
        return ipText(ip) + ":" + port;
    }
}
