package io.github.httpbandwidth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** An HTTP/1.1 client over a raw socket, for exact control of what is sent and of when the connection drops. */
final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        this(port, 0);
    }

    /**
     * With {@code receiveBuffer > 0}, a fixed receive buffer of that size, set before connecting: the kernel then
     * holds at most that much beyond what was read. Without it, Linux grows the buffer up to {@code tcp_rmem}'s
     * maximum (32 MiB on some machines), which can swallow a whole response that a test means to cut short.
     */
    RawHttp(int port, int receiveBuffer) throws IOException {
        this(port, receiveBuffer, null);
    }

    /** From the loopback address {@code local}, such as 127.0.0.2 (Linux answers on all of 127.0.0.0/8). */
    static RawHttp from(String local, int port) throws IOException {
        return new RawHttp(port, 0, local);
    }

    private RawHttp(int port, int receiveBuffer, String local) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void send(String head, byte[] body) throws IOException {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one response with a Content-Length or chunked body; returns its body (empty for HEAD/204/304). */
    Response readResponse(boolean headRequest) throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long contentLength = -1;
        boolean chunked = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                contentLength = Long.parseLong(header.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headRequest || status == 204 || status == 304) {
            return new Response(status, body.toByteArray());
        }
        if (chunked) {
            for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                 size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                body.write(in.readNBytes((int) size));
                line();
            }
            line();
        } else if (contentLength >= 0) {
            body.write(in.readNBytes((int) contentLength));
        }
        return new Response(status, body.toByteArray());
    }

    /** Reads up to {@code n} bytes of whatever comes next. */
    byte[] readBytes(int n) throws IOException {
        return in.readNBytes(n);
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c == -1 && line.length() == 0) {
            throw new IOException("connection closed");
        }
        return line.toString();
    }

    /** Closes with RST instead of FIN, as a client that crashes or gives up does. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    record Response(int status, byte[] body) {
    }
}
