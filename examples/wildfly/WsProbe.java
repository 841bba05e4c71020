import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A WebSocket client on a plain socket, for examples/wildfly/check.sh: it counts every byte it writes and reads after
 * the handshake, as the wire carries them, with no WebSocket library between (no extension is offered, so frames are
 * what RFC 6455 alone makes of the messages). One binary message per size, each echo read back and compared, then a
 * close handshake (1000). Prints {@code sent=<bytes written after the request head> received=<bytes read after the
 * 101's head>}; exits 1 when the server answers anything but a 101 or an echo differs. With {@code hold=<file>} among
 * the sizes, it keeps the connection open after the messages until that file exists (at most 60 s), then closes.
 *
 * For {@code wss://} it speaks TLS and trusts whatever certificate the server shows, as {@code curl -k} does (WildFly's
 * self-signed one); the counts are then of what goes inside TLS.
 *
 * <pre>java examples/wildfly/WsProbe.java ws://127.0.0.1:8080/shop/ws/echo/lobby 125 126 65536 ... [hold=FILE]</pre>
 */
public final class WsProbe {

    private static long sent;
    private static long received;
    private static final Random RANDOM = new Random(6455);

    public static void main(String[] args) throws IOException {
        URI uri = URI.create(args[0]);
        try (Socket socket = open(uri)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = head(in);
            if (!head.startsWith("HTTP/1.1 101")) {
                System.err.println("no 101: " + head.lines().findFirst().orElse(""));
                System.exit(1);
            }
            Path hold = null;
            for (int i = 1; i < args.length; i++) {
                if (args[i].startsWith("hold=")) {
                    hold = Path.of(args[i].substring("hold=".length()));
                    continue;
                }
                byte[] message = new byte[Integer.parseInt(args[i])];
                RANDOM.nextBytes(message);
                write(out, 0x2, message);
                byte[] echo = readMessage(in, out);
                if (echo == null || !Arrays.equals(echo, message)) {
                    System.err.println("the echo of message " + i + " (" + message.length + " B) differs");
                    System.exit(1);
                }
            }
            for (long deadline = System.nanoTime() + 60_000_000_000L; hold != null && !Files.exists(hold)
                    && System.nanoTime() < deadline; ) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            write(out, 0x8, new byte[] {0x03, (byte) 0xe8});
            if (readMessage(in, out) != null) {
                System.err.println("a message after the close");
                System.exit(1);
            }
            System.out.println("sent=" + sent + " received=" + received);
        }
    }

    private static Socket open(URI uri) throws IOException {
        if (!uri.getScheme().equals("wss")) {
            return new Socket(uri.getHost(), uri.getPort());
        }
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(uri.getHost(), uri.getPort());
            socket.startHandshake();
            return socket;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** The response head up to its blank line, read a byte at a time so that nothing after it is taken. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed in the response head");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** One masked frame with FIN set, as a client sends it. */
    private static void write(OutputStream out, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        frame.writeTo(out);
        out.flush();
        sent += frame.size();
    }

    /** The next data message, its fragments joined; a ping is answered; {@code null} at the server's close. */
    private static byte[] readMessage(InputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int b0 = read(in);
            int b1 = read(in);
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (read(in) << 8) | read(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | read(in);
                }
            }
            byte[] mask = new byte[4];
            if ((b1 & 0x80) != 0) {
                for (int i = 0; i < 4; i++) {
                    mask[i] = (byte) read(in);
                }
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (read(in) ^ mask[i & 3]);
            }
            int opcode = b0 & 0x0f;
            if (opcode == 0x8) {
                return null;
            }
            if (opcode == 0x9) {
                write(out, 0xa, payload);
                continue;
            }
            if (opcode == 0xa) {
                continue;
            }
            message.write(payload);
            if ((b0 & 0x80) != 0) {
                return message.toByteArray();
            }
        }
    }

    private static int read(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the connection closed inside a frame");
        }
        received++;
        return b;
    }
}
