/**
 * Plain HTTP pieces that both the HTTP API ({@code http}) and the WebSocket gateway ({@code gateway}) use:
 * responses with the common headers, the bearer token of a request, the cap on unproven connections per
 * address. Kept apart so those two never import each other.
 */
package dev.presence.server.web;
