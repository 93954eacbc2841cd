package dev.cella.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The protocol between a submitter and the member it talks to (docs/cluster.md, "The submitter's
 * connection"): one TCP connection, TLS 1.3 with mutual authentication when the cluster uses TLS
 * (the same key and trust stores as the members' remoting), carrying frames. No actor system runs
 * in the submitter; the member's {@link Gateway} relays between the connection and its actor.
 *
 * <p>A frame is {@code int length, byte type, length - 1 bytes of body}. Types:
 * <ul>
 * <li>submitter to member: {@code 'J'} one {@link Wire.CellJob} (body as {@link WireSerializer}
 *     encodes it), {@code 's'} submit the jobs sent so far under a submission id ({@code UTF id,
 *     int count}), {@code 'q'} load query, {@code 't'} status query, {@code 'n'} drain;</li>
 * <li>member to submitter: {@link Wire.CellOutput}, {@link Wire.CellDone}, {@link Wire.Refused},
 *     {@link Wire.Load} and {@link Wire.Text}, with {@link WireSerializer}'s manifest letter as the
 *     type and its encoding as the body;</li>
 * <li>either way: {@code 'p'}, a heartbeat without a body. A waiting submitter sends one every
 *     second it hears nothing, and the member's gateway answers it from its own threads (not
 *     from the member's actor, which may be busy placing thousands of cells), so that silence
 *     means the member's process or host is gone, not that it is busy.</li>
 * </ul>
 * Every message that crosses is free of actor references, so both sides encode it without an
 * actor system. Frames are written through buffers and flushed once the writer has nothing more
 * queued, so a thousand cells or ends travel in a few TCP segments, with no round trip per cell.
 */
final class SubmitProtocol {
    /** Largest frame: a cell with a module and stdin of {@link Settings#MAX_FRAME} each, with room to spare. */
    static final int MAX_FRAME = 40 << 20;

    static final byte JOB = 'J';
    static final byte SUBMIT = 's';
    static final byte LOAD_QUERY = 'q';
    static final byte STATUS_QUERY = 't';
    static final byte DRAIN = 'n';
    /** Either way: a heartbeat; the member's gateway answers a submitter's at once, with one of its own. */
    static final byte PING = 'p';
    /** The types a member sends: {@link WireSerializer}'s manifests of the messages listed above, and {@link #PING}. */
    static final java.util.Set<Byte> TO_SUBMITTER = java.util.Set.of((byte) 'O', (byte) 'D', (byte) 'X', (byte) 'L',
            (byte) 'W', PING);

    /** Encodes the ref-free messages; it never needs the actor system it is built with. */
    private static final WireSerializer CODEC = new WireSerializer(null);

    private SubmitProtocol() {}

    /** One frame as read. */
    record Frame(byte type, byte[] body) {
        /** The body as a {@link Wire} message of {@link WireSerializer}'s manifest {@link #type}. */
        Wire message() {
            return (Wire) CODEC.fromBinary(body, String.valueOf((char) type));
        }

        /** The body of an {@code 's'} frame. */
        Submit submit() throws IOException {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
            Submit s = new Submit(in.readUTF(), in.readInt());
            if (in.available() != 0) {
                throw new IOException("a submit frame with " + in.available() + " bytes after its end");
            }
            return s;
        }
    }

    /** The body of an {@code 's'} frame: submit the {@code count} jobs sent before it as {@code submission}. */
    record Submit(String submission, int count) {}

    /** Writes a {@link Wire} message (one without actor references) as a frame. */
    static void write(DataOutputStream out, Wire w) throws IOException {
        byte[] body = CODEC.toBinary(w);
        frame(out, (byte) CODEC.manifest(w).charAt(0), body);
    }

    /** Writes an {@code 's'} frame. */
    static void writeSubmit(DataOutputStream out, String submission, int count) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeUTF(submission);
            d.writeInt(count);
        }
        frame(out, SUBMIT, b.toByteArray());
    }

    /** Writes a frame without a body ({@code 'q'}, {@code 't'}, {@code 'n'}). */
    static void writeEmpty(DataOutputStream out, byte type) throws IOException {
        frame(out, type, new byte[0]);
    }

    private static void frame(DataOutputStream out, byte type, byte[] body) throws IOException {
        if (body.length + 1L > MAX_FRAME) {
            throw new UncheckedIOException(new IOException("a message of " + body.length + " bytes is larger than "
                    + "the submitter connection's limit of " + MAX_FRAME + " bytes"));
        }
        out.writeInt(body.length + 1);
        out.writeByte(type);
        out.write(body);
    }

    /**
     * Reads the next frame, or null at the end of the stream between frames.
     *
     * @throws IOException if the stream ends inside a frame or a frame's length is out of bounds
     *     (the connection is then useless: the caller closes it)
     */
    static Frame read(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        if (length < 1 || length > MAX_FRAME) {
            throw new IOException("a frame of " + length + " bytes (at most " + MAX_FRAME + ")");
        }
        byte type = in.readByte();
        byte[] body = readBody(in, length - 1);
        return new Frame(type, body);
    }

    /** Reads {@code n} bytes, growing the buffer as they arrive (a claimed length is not allocated up front). */
    private static byte[] readBody(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("the connection ended inside a frame");
        }
        return b;
    }

    /**
     * The TLS context of a submitter connection: this side's key from {@code tls.keystore()}, peers
     * accepted only if {@code tls.truststore()} trusts them, as Pekko's remoting does with the
     * same stores (Settings#config).
     *
     * @throws ClusterException (CONFIG) if a store cannot be read or the password is wrong
     */
    static SSLContext context(Settings.Tls tls) {
        try {
            char[] password = tls.password().toCharArray();
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(tls.keystore(), password), password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(tls.truststore(), password));
            SSLContext c = SSLContext.getInstance("TLSv1.3");
            c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return c;
        } catch (GeneralSecurityException | IOException e) {
            throw new ClusterException(ClusterException.Kind.CONFIG, "cannot use key store " + tls.keystore()
                    + " or trust store " + tls.truststore() + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(java.nio.file.Path p, char[] password) throws GeneralSecurityException, IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(p)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType()); // PKCS#12, which also reads JKS
            ks.load(in, password);
            return ks;
        }
    }

    /** TLS 1.3 only, on either side. */
    static void restrict(SSLSocket s) {
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        s.setSSLParameters(p);
    }
}
