/**
 * How the client opens WebSockets: {@link dev.presence.client.transport.Transport} and the default
 * {@link dev.presence.client.transport.JdkTransport} on {@code java.net.http}; replaceable (say by OkHttp on Android).
 */
package dev.presence.client.transport;
