/**
 * api.js — the HTTP API of PROTOCOL.md, from the page's own origin.
 * The token goes in the Authorization header, never in a URL.
 */

import { parseRetryAfter } from './errors.js';

/**
 * An error answer of the API: `status` is the HTTP status (0: the server could not be reached), `code` the
 * error code from the body, `retryAfterSeconds` the `Retry-After` of a 429 or 503 (null when not given).
 */
export class ApiError extends Error {
    constructor(status, code, message, retryAfterSeconds = null) {
        super(message || code || `HTTP ${status}`);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }
}

export class Api {
    /**
     * @param {() => (string|null)} tokenSource the current token
     * @param {string} [base=''] prefix of every path (same origin by default)
     */
    constructor(tokenSource, base = '') {
        this.tokenSource = tokenSource;
        this.base = base;
        /** Called with the ApiError when an authenticated call answers 401 (token expired or revoked). */
        this.onUnauthorized = null;
    }

    async call(method, path, body, { auth = true } = {}) {
        const headers = { Accept: 'application/json' };
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
        }
        const token = auth ? this.tokenSource() : null;
        if (token) {
            headers.Authorization = `Bearer ${token}`;
        }
        let response;
        try {
            response = await fetch(this.base + path, {
                method,
                headers,
                body: body === undefined ? undefined : JSON.stringify(body),
                credentials: 'omit',
                cache: 'no-store',
            });
        } catch (e) {
            throw new ApiError(0, 'network', 'The server cannot be reached.');
        }
        const text = await response.text();
        let data = null;
        if (text) {
            try {
                data = JSON.parse(text);
            } catch {
                data = null;
            }
        }
        if (!response.ok) {
            const err = (data && data.error) || {};
            const error = new ApiError(response.status, err.code, err.message,
                parseRetryAfter(response.headers.get('Retry-After')));
            if (auth && response.status === 401 && this.onUnauthorized) {
                this.onUnauthorized(error);
            }
            throw error;
        }
        return data;
    }

    signUp(username, password, displayName) {
        const body = { username, password };
        if (displayName) {
            body.display_name = displayName;
        }
        return this.call('POST', '/api/users', body, { auth: false });
    }

    logIn(username, password) {
        return this.call('POST', '/api/sessions', { username, password }, { auth: false });
    }

    logOut() {
        return this.call('DELETE', '/api/sessions/current');
    }

    /** Revokes every token of mine: every device is logged out (contract v2). */
    logOutEverywhere() {
        return this.call('DELETE', '/api/sessions');
    }

    me() {
        return this.call('GET', '/api/me');
    }

    updateMe(displayName) {
        return this.call('PATCH', '/api/me', { display_name: displayName });
    }

    threads() {
        return this.call('GET', '/api/threads');
    }

    thread(id) {
        return this.call('GET', `/api/threads/${encodeURIComponent(id)}`);
    }

    createThread(title) {
        return this.call('POST', '/api/threads', { title });
    }

    invite(threadId, username) {
        return this.call('POST', `/api/threads/${encodeURIComponent(threadId)}/invitations`, { username });
    }

    invitations() {
        return this.call('GET', '/api/invitations');
    }

    acceptInvitation(id) {
        return this.call('POST', `/api/invitations/${encodeURIComponent(id)}/accept`);
    }

    /** Declines an invitation addressed to me (contract v2); the inviter is told. */
    declineInvitation(id) {
        return this.call('POST', `/api/invitations/${encodeURIComponent(id)}/decline`);
    }

    leaveThread(threadId) {
        return this.call('DELETE', `/api/threads/${encodeURIComponent(threadId)}/members/me`);
    }

    messages(threadId, limit = 50) {
        return this.call('GET', `/api/threads/${encodeURIComponent(threadId)}/messages?limit=${limit}`);
    }

    sendMessage(threadId, text) {
        return this.call('POST', `/api/threads/${encodeURIComponent(threadId)}/messages`, { text });
    }
}
