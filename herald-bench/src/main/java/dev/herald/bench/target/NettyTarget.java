package dev.herald.bench.target;

import java.nio.file.Path;
import java.util.List;

/** {@code herald-netty} alone, without Spring: isolates the transport and the engine. */
public final class NettyTarget extends MainClassTarget implements HeraldApi {

    public NettyTarget(int port, Path work, List<String> jvm) {
        super(port, work, jvm);
    }

    @Override
    protected String mainClass() {
        return "dev.herald.bench.netty.NettyHubMain";
    }

    @Override
    protected List<String> args() {
        return List.of(Integer.toString(port));
    }
}
