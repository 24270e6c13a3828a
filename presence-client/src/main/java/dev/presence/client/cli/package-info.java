/** {@code presence-cli}: the terminal client, built on the SDK (picocli). */
package dev.presence.client.cli;
