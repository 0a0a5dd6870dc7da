package dev.herald.netty.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A TCP connection to 127.0.0.1 that speaks HTTP/1.1 by hand: for requests no HTTP client would
 * send (raw control bytes, invalid UTF-8, oversized or dribbled heads and bodies) and for reading
 * exactly what the server wrote back. Every read has a timeout; one thread reads, another may write.
 */
public final class RawHttp implements AutoCloseable {

    /** How long a read waits before the test fails instead of hanging. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    /** One response as read off the wire; header names are lower case. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends one request on a new connection and reads its answer. */
    public static Response exchange(int port, byte[] request) throws IOException {
        try (RawHttp connection = new RawHttp(port)) {
            return connection.send(request).read();
        }
    }

    /**
     * A request as bytes: each part is a {@code String} (sent as UTF-8) or a {@code byte[]} (sent
     * as is), so raw bytes can go anywhere.
     */
    public static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            switch (part) {
                case String text -> out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
                case byte[] raw -> out.writeBytes(raw);
                default -> throw new IllegalArgumentException("not a request part: " + part);
            }
        }
        return out.toByteArray();
    }

    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /**
     * Reads one response: its head, then a body of Content-Length bytes, or up to the close. The
     * body of an event stream is not read (it would last as long as the stream): read it with an
     * SSE client.
     */
    public Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("the connection closed before a response");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        String length = headers.get("content-length");
        byte[] body;
        String type = headers.getOrDefault("content-type", "");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if (type.startsWith("text/event-stream")) {
            body = new byte[0];
        } else if (status >= 200 && status != 204 && status != 304) {
            body = readToClose();
        } else {
            body = new byte[0];
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Whether the server has sent something not read yet. */
    public boolean answered() throws IOException {
        return in.available() > 0;
    }

    /** Whether the server closes (or resets) the connection within the time; what it sent before is skipped. */
    public boolean closedWithin(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            byte[] skipped = new byte[8192];
            while (in.read(skipped) >= 0) {
                // whatever is left before the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException reset) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            }
        }
    }

    private byte[] readToClose() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                body.write(buffer, 0, read);
            }
        } catch (SocketException reset) {
            // the server reset the connection after its answer: the answer is what arrived
        }
        return body.toByteArray();
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    public Socket socket() {
        return socket;
    }

    public OutputStream output() {
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
