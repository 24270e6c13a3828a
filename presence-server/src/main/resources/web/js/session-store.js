/**
 * session-store.js — where the page keeps the login (token and user) between page loads, and how tabs
 * share it.
 *
 * - "Keep me signed in on this device" ticked: localStorage, so the login survives closing the browser
 *   and every tab of this browser profile uses it, until "Log out" (or the token expires on the server).
 * - Not ticked (the default, right for a shared computer): sessionStorage of the tab, gone when the browser
 *   closes. Other tabs opened meanwhile get it from an open tab over a same-origin BroadcastChannel, so a
 *   second tab does not ask to log in again; it is never written where it outlives the browser session.
 * - Logging out in one tab logs out every tab holding the same token (they would get 4401 from the server
 *   anyway; this is immediate).
 *
 * The token is readable by any script of this origin wherever it is kept; the page's CSP (scripts from the
 * page's own origin only, no inline script) and text-only rendering of user content are what keep foreign
 * scripts out.
 */

const TOKEN_KEY = 'presence.token';
const USER_KEY = 'presence.user';
const CHANNEL = 'presence.session';

/** The page's login storage; fires `session` (another tab logged in) and `logout` (another tab logged out). */
export class SessionStore extends EventTarget {
    /**
     * @param {object} [options] storages and channel, replaceable in tests
     */
    constructor({
        local = globalThis.localStorage,
        session = globalThis.sessionStorage,
        Channel = globalThis.BroadcastChannel,
    } = {}) {
        super();
        this.local = local;
        this.session = session;
        this.channel = Channel ? new Channel(CHANNEL) : null;
        /** What this tab holds, to answer other tabs: {token, user, remembered} or null. */
        this.current = null;
        if (this.channel) {
            this.channel.onmessage = (event) => this._received(event.data || {});
        }
    }

    /** The login kept for this tab (its own sessionStorage first, then the remembered one), or null. */
    load() {
        for (const [storage, remembered] of [[this.session, false], [this.local, true]]) {
            const token = read(storage, TOKEN_KEY);
            if (token) {
                let user = null;
                try {
                    user = JSON.parse(read(storage, USER_KEY) || 'null');
                } catch {
                    user = null;
                }
                if (user && typeof user.id === 'string') {
                    this.current = { token, user, remembered };
                    return this.current;
                }
            }
        }
        return null;
    }

    /**
     * Keeps a login: in localStorage when `remembered`, else in this tab's sessionStorage (and never in
     * localStorage, where an older remembered login is removed). `announce`: tell the other tabs.
     */
    save(token, user, remembered, { announce = true } = {}) {
        const [keep, drop] = remembered ? [this.local, this.session] : [this.session, this.local];
        write(keep, TOKEN_KEY, token);
        write(keep, USER_KEY, JSON.stringify(user));
        remove(drop, TOKEN_KEY);
        remove(drop, USER_KEY);
        this.current = { token, user, remembered };
        if (announce) {
            this._post({ type: 'session', token, user, remembered });
        }
    }

    /** The user changed (display name): stored where the token is. */
    updateUser(user) {
        if (!this.current) {
            return;
        }
        this.current = { ...this.current, user };
        write(this.current.remembered ? this.local : this.session, USER_KEY, JSON.stringify(user));
    }

    /** Forgets the login everywhere this page keeps it; `announce`: other tabs with the same token log out too. */
    clear({ announce = false } = {}) {
        const token = this.current && this.current.token;
        remove(this.session, TOKEN_KEY);
        remove(this.session, USER_KEY);
        // A remembered login of someone else (logged in later in another tab) is not this tab's to forget.
        const remembered = read(this.local, TOKEN_KEY);
        if (token && remembered === token) {
            remove(this.local, TOKEN_KEY);
            remove(this.local, USER_KEY);
        }
        this.current = null;
        if (announce && token) {
            this._post({ type: 'logout', token });
        }
    }

    /**
     * Asks the other open tabs for their login (a tab opened after logging in without "keep me signed in").
     * @returns {Promise<{token, user, remembered}|null>} the first answer, or null after `timeoutMs`
     */
    askOtherTabs(timeoutMs = 250) {
        if (!this.channel) {
            return Promise.resolve(null);
        }
        return new Promise((resolve) => {
            const done = (value) => {
                clearTimeout(timer);
                this.removeEventListener('session', onSession);
                resolve(value);
            };
            const onSession = (event) => done(event.detail);
            const timer = setTimeout(() => done(null), timeoutMs);
            this.addEventListener('session', onSession);
            this._post({ type: 'ask' });
        });
    }

    _received(message) {
        switch (message.type) {
            case 'ask':
                if (this.current) {
                    this._post({ type: 'session', ...this.current });
                }
                break;
            case 'session':
                if (typeof message.token === 'string' && message.user && typeof message.user.id === 'string') {
                    this.dispatchEvent(new CustomEvent('session', {
                        detail: { token: message.token, user: message.user, remembered: Boolean(message.remembered) },
                    }));
                }
                break;
            case 'logout':
                if (this.current && message.token === this.current.token) {
                    this.dispatchEvent(new CustomEvent('logout'));
                }
                break;
            default:
                break;
        }
    }

    _post(message) {
        if (this.channel) {
            this.channel.postMessage(message);
        }
    }
}

// Storage can throw (disabled, full, a sandboxed frame): the page then simply keeps nothing.
function read(storage, key) {
    try {
        return storage ? storage.getItem(key) : null;
    } catch {
        return null;
    }
}

function write(storage, key, value) {
    try {
        if (storage) {
            storage.setItem(key, value);
        }
    } catch {
        // not kept: the next page load asks to log in
    }
}

function remove(storage, key) {
    try {
        if (storage) {
            storage.removeItem(key);
        }
    } catch {
        // nothing kept there
    }
}
