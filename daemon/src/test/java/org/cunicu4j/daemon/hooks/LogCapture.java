package org.cunicu4j.daemon.hooks;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what the hooks package logs (System.Logger goes to java.util.logging here). */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("org.cunicu4j.daemon.hooks"); // held: JUL keeps loggers weakly
    private final Level previous = logger.getLevel();
    final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        logger.setLevel(Level.ALL);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        String msg = r.getMessage();
        Object[] params = r.getParameters();
        if (params != null) {
            msg = java.text.MessageFormat.format(msg, params);
        }
        lines.add(r.getLevel() + " " + msg);
    }

    boolean has(String level, String part) {
        return lines.stream().anyMatch(l -> l.startsWith(level + " ") && l.contains(part));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
