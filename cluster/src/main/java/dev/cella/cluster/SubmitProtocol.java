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
import java.util.ArrayList;
import java.util.List;
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
 *     int count}), {@code 'q'} load query, {@code 't'} status query, {@code 'n'} drain, {@code 'a'}
 *     re-attach the jobs sent so far under a submission id whose coordinator was lost, or whose
 *     connection to this member broke when it names this member ({@code UTF id, int count, int
 *     attempt, UTF lost coordinator, count times (boolean ended, long next, boolean whole)},
 *     {@link Takeover.CellState});</li>
 * <li>member to submitter: {@link Wire.CellOutput}, {@link Wire.CellDone}, {@link Wire.Refused},
 *     {@link Wire.Load} and {@link Wire.Text}, with {@link WireSerializer}'s manifest letter as the
 *     type and its encoding as the body, and {@code 'r'} a {@link Rewind} ({@code UTF id, int
 *     index, long seq});</li>
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
    static final byte ATTACH = 'a';
    static final byte REWIND = 'r';
    /** Either way: a heartbeat; the member's gateway answers a submitter's at once, with one of its own. */
    static final byte PING = 'p';
    /** The types a member sends: {@link WireSerializer}'s manifests of the messages listed above, and {@link #PING}. */
    static final java.util.Set<Byte> TO_SUBMITTER = java.util.Set.of((byte) 'O', (byte) 'D', (byte) 'X', (byte) 'L',
            (byte) 'W', REWIND, PING);

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

        /**
         * The body of an {@code 'a'} frame.
         *
         * @throws IOException if it is truncated, too long, or claims more cells than it holds
         */
        AttachFrame attach() throws IOException {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
            String submission = in.readUTF();
            int count = in.readInt();
            int attempt = in.readInt();
            String previous = in.readUTF();
            if (count < 0 || (long) count * 10 > in.available()) {
                throw new IOException("an attach frame claims " + count + " cells in " + in.available() + " bytes");
            }
            List<Takeover.CellState> cells = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                cells.add(new Takeover.CellState(in.readBoolean(), in.readLong(), in.readBoolean()));
            }
            if (in.available() != 0) {
                throw new IOException("an attach frame with " + in.available() + " bytes after its end");
            }
            return new AttachFrame(submission, count, attempt, previous, List.copyOf(cells));
        }

        /** The body of an {@code 'r'} frame. */
        Rewind rewind() throws IOException {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
            Rewind r = new Rewind(in.readUTF(), in.readInt(), in.readLong());
            if (in.available() != 0) {
                throw new IOException("a rewind frame with " + in.available() + " bytes after its end");
            }
            return r;
        }
    }

    /** The body of an {@code 'a'} frame: re-attach the {@code count} jobs sent before it. */
    record AttachFrame(String submission, int count, int attempt, String previous, List<Takeover.CellState> cells) {}

    /**
     * Coordinator to submitter, after a takeover: drop the output held of cell {@code index} from
     * segment {@code seq} on; the next output of that cell is segment {@code seq}'s ({@link
     * Takeover}). Travels only on the submitter's connection.
     */
    record Rewind(String submission, int index, long seq) implements Msg {}

    /** Writes an {@code 'a'} frame. */
    static void writeAttach(DataOutputStream out, String submission, int attempt, String previous,
            List<Takeover.CellState> cells) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeUTF(submission);
            d.writeInt(cells.size());
            d.writeInt(attempt);
            d.writeUTF(previous);
            for (Takeover.CellState c : cells) {
                d.writeBoolean(c.ended());
                d.writeLong(c.next());
                d.writeBoolean(c.whole());
            }
        }
        frame(out, ATTACH, b.toByteArray());
    }

    /** Writes an {@code 'r'} frame. */
    static void writeRewind(DataOutputStream out, Rewind r) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeUTF(r.submission());
            d.writeInt(r.index());
            d.writeLong(r.seq());
        }
        frame(out, REWIND, b.toByteArray());
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
