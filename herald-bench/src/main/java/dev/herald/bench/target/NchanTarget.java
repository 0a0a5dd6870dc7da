package dev.herald.bench.target;

import dev.herald.bench.load.PublishFormat;
import dev.herald.bench.load.ServerProbe;
import dev.herald.bench.load.UrlTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Nchan (nginx with {@code libnginx-mod-nchan}, Debian packages) with this module's
 * {@code nchan.conf}: {@code POST /pub/{channel}} publishes, {@code GET /sub/{channel}} is an
 * EventSource stream, the message buffer is on. Measured as the master process and its workers.
 */
public final class NchanTarget extends ProcessTarget {

    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    public NchanTarget(int port, Path work) {
        super(port, work);
    }

    @Override
    protected List<String> command() throws IOException {
        if (!Files.isExecutable(NGINX)) {
            throw new IllegalStateException("nginx is missing: apt-get install nginx libnginx-mod-nchan");
        }
        Path dir = work.toAbsolutePath();
        String template;
        try (InputStream in = NchanTarget.class.getResourceAsStream("/nchan.conf")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, template.replace("${port}", Integer.toString(port)).replace("${dir}", dir.toString()));
        return List.of(NGINX.toString(), "-p", dir.toString(), "-c", conf.toString(), "-e", dir.resolve("error.log").toString(),
                "-g", "daemon off;");
    }

    @Override
    public ServerProbe probe() {
        return ServerProbe.processTree(pid());
    }

    @Override
    public UrlTemplate subscribeUrl() {
        return UrlTemplate.of("http://127.0.0.1:" + port + "/sub/{topic}");
    }

    @Override
    public UrlTemplate publishUrl() {
        return UrlTemplate.of("http://127.0.0.1:" + port + "/pub/{topic}");
    }

    @Override
    public PublishFormat publishFormat() {
        return PublishFormat.RAW;
    }
}
