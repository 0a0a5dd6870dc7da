package dev.herald.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A bare HTTP/1.1 client on a plain socket, for tests that must see exactly what goes over the
 * wire: the status line, the headers, and the body bytes after de-chunking, fed to an
 * {@link SseParser} as they arrive. It can also vanish abruptly ({@link #abort()}), as a browser
 * tab does. Loopback only.
 */
public final class SseWireClient implements AutoCloseable {

    private final Socket socket;
    private final int status;
    private final Map<String, List<String>> headers;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final SseParser parser = new SseParser();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread reader;

    private SseWireClient(Socket socket, int status, Map<String, List<String>> headers, InputStream in, boolean read) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
        boolean chunked = "chunked".equalsIgnoreCase(header("Transfer-Encoding"));
        String length = header("Content-Length");
        this.reader = read ? Thread.ofVirtual().name("sse-wire-client").start(() -> readBody(in, chunked, length)) : null;
    }

    /** Sends {@code GET pathAndQuery} to 127.0.0.1:port with the given extra headers. */
    public static SseWireClient get(int port, String pathAndQuery, Map<String, String> extraHeaders) throws IOException {
        return open(port, pathAndQuery, extraHeaders, 0, true);
    }

    /**
     * A client that reads the response headers and then never reads again, with a small receive
     * buffer: the server's writes soon block, as with a client on a stalled network.
     */
    public static SseWireClient stalled(int port, String pathAndQuery) throws IOException {
        return open(port, pathAndQuery, Map.of(), 2048, false);
    }

    private static SseWireClient open(int port, String pathAndQuery, Map<String, String> extraHeaders, int receiveBuffer,
            boolean read) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Accept: text/event-stream\r\n");
        extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            socket.close();
            throw new IOException("not an HTTP response: " + statusLine);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return new SseWireClient(socket, Integer.parseInt(parts[1]), headers, in, read);
    }

    public static SseWireClient get(int port, String pathAndQuery) throws IOException {
        return get(port, pathAndQuery, Map.of());
    }

    public int status() {
        return status;
    }

    /** The first value of a header, or {@code null}. Names are case-insensitive. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : values.getFirst();
    }

    public Map<String, List<String>> headers() {
        return headers;
    }

    public SseParser parser() {
        return parser;
    }

    /** The body received so far, de-chunked, as text. */
    public String text() {
        synchronized (body) {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    /** Whether the server ended the response (final chunk, full length, or closed socket). */
    public boolean ended() {
        return ended.getCount() == 0;
    }

    /** Waits for the server to end the response. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drops the connection at once, without ending the request politely. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        if (reader == null) {
            return;
        }
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readBody(InputStream in, boolean chunked, String length) {
        try {
            if (chunked) {
                while (true) {
                    String sizeLine = readLine(in);
                    int semicolon = sizeLine.indexOf(';');
                    int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                    if (size == 0) {
                        readLine(in);
                        return;
                    }
                    byte[] chunk = in.readNBytes(size);
                    if (chunk.length < size) {
                        return;
                    }
                    accept(chunk);
                    readLine(in);
                }
            } else if (length != null) {
                accept(in.readNBytes(Integer.parseInt(length)));
            } else {
                byte[] buffer = new byte[8192];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    accept(java.util.Arrays.copyOf(buffer, read));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The socket closed: the response is over.
        } finally {
            ended.countDown();
        }
    }

    private void accept(byte[] bytes) {
        synchronized (body) {
            body.writeBytes(bytes);
        }
        parser.feed(bytes);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.UTF_8);
            }
            line.write(c);
        }
        throw new EOFException("connection closed");
    }
}
