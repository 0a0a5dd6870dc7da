package dev.herald.servlet;

import dev.herald.http.RequestTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads publish bodies, refusing one as soon as it crosses the limit. */
final class RequestBodies {

    private RequestBodies() {
    }

    /**
     * The body, at most {@code limit} bytes.
     *
     * @throws RequestTooLargeException if it declares or sends more
     */
    static byte[] read(HttpServletRequest request, int limit) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            throw new RequestTooLargeException(limit);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
        byte[] buffer = new byte[8192];
        try (InputStream in = request.getInputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (body.size() + read > limit) {
                    throw new RequestTooLargeException(limit);
                }
                body.write(buffer, 0, read);
            }
        }
        return body.toByteArray();
    }
}
