package dev.colibri.backup;
@FunctionalInterface
public interface ProgressListener { void progress(long done, long total); static ProgressListener none() { return (a, b) -> { }; } }
