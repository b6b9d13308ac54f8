package dev.colibri.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, or "dev" when running from classes. */
final class Version implements IVersionProvider {

    static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"colibri " + current()};
    }
}
