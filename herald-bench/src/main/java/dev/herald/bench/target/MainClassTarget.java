package dev.herald.bench.target;

import dev.herald.bench.load.ServerProbe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A server whose main class lives in this module, run in its own JVM on this module's class path. */
abstract class MainClassTarget extends ProcessTarget {

    private final List<String> jvm;

    MainClassTarget(int port, Path work, List<String> jvm) {
        super(port, work);
        this.jvm = jvm;
    }

    /** Reads the JVM's memory by kind too. */
    @Override
    public ServerProbe probe() {
        return ServerProbe.jvm(pid(), null);
    }

    protected abstract String mainClass();

    protected abstract List<String> args();

    @Override
    protected List<String> command() {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvm);
        command.addAll(List.of("-cp", classPath(), mainClass()));
        command.addAll(args());
        return command;
    }
}
