package dev.presence.server.config;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this build ({@code 0.1.0-SNAPSHOT}), written into {@code version.properties} by Maven's resource
 * filtering, so {@code -V} and the artifacts can never disagree.
 */
public final class BuildVersion implements IVersionProvider {

    private static final String RESOURCE = "/dev/presence/server/version.properties";

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"presence-server " + get()};
    }
}
