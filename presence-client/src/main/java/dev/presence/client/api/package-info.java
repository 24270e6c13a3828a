/** The HTTP API ({@link dev.presence.client.api.PresenceApi}), its records and its typed errors. */
package dev.presence.client.api;
