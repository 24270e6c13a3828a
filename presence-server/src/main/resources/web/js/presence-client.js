/**
 * presence-client.js — the browser client of the presence WebSocket protocol (PROTOCOL.md, v1 and v2).
 *
 * One ES module, no dependencies, usable on its own:
 *
 *   import { PresenceClient } from './presence-client.js';
 *   const client = new PresenceClient({ url: 'wss://example.org/ws', token });
 *   // or several servers (the nodes of a cluster): { urls: ['wss://node1.example.org/ws', 'wss://node2.example.org/ws'], token }
 *   client.addEventListener('status', (e) => console.log(e.detail));   // {user_id, is_online, last_seen, version}
 *   client.addEventListener('state', (e) => console.log(e.detail));    // {state, delayMs?, retryAt?}
 *   client.connect();
 *
 * What it does for you:
 * - authenticates with the first text frame {"type":"hello","token":...} (the token never goes in a URL);
 * - answers every `ping` with `pong`;
 * - liveness: if nothing arrives for heartbeat.interval_ms + heartbeat.timeout_ms (from `welcome`), the
 *   connection is treated as dead, dropped and replaced;
 * - reconnects forever with the same backoff as the Java SDK (1, 2, 4, 8, 16, 30, 30 … s, capped before
 *   jitter), reset after a successful `welcome`; never after close code 4401;
 * - several addresses: starts at a random one (so many pages spread over the nodes) and moves to the next
 *   one after every failed attempt or lost connection;
 * - after close code 1012 (server restarting) on a welcomed connection it comes back after a short
 *   jittered delay (100–1000 ms, well inside the server's default 3 s offline grace, so a rolling restart is
 *   invisible to others), at most 3 times in a row unless the connections last 10 s; otherwise the backoff;
 * - a `welcome` snapshot replaces the whole presence view; `user_status_changed` is applied only if its
 *   version is greater than the one held, and so is each entry of a `status_batch` (contract v2), one by one;
 * - goes `offline` (and stops retrying) when the browser fires `offline`; reconnects at once when it
 *   fires `online`, or when the tab becomes visible after having been hidden for long.
 *
 * Events (all CustomEvent, data in `detail`):
 *   state               {state, attempt?, delayMs?, retryAt?, code?, url?}  state: idle|connecting|connected|reconnecting|offline|unauthorized|closed
 *                       (url: the address being tried, or to be tried next)
 *   welcome             the welcome frame (after the snapshot was applied)
 *   snapshot            {presence: Map}  the whole view was replaced
 *   status              a status that was applied (stale ones are dropped silently); a `status_batch`
 *                       gives one per entry applied
 *   message_created, user_profile_updated, invitation_created, invitation_accepted, invitation_declined,
 *   thread_member_left, error
 *                       the server frame as received (any other type too, under its own name)
 *   frame               every frame as received (for debugging and extensions)
 */

/** Connection states. */
export const State = Object.freeze({
    IDLE: 'idle',
    CONNECTING: 'connecting',
    CONNECTED: 'connected',
    RECONNECTING: 'reconnecting',
    OFFLINE: 'offline',
    UNAUTHORIZED: 'unauthorized',
    CLOSED: 'closed',
});

/** Close code for a bad or revoked token: the client gives up for good. */
export const CLOSE_UNAUTHORIZED = 4401;

/** Close code of a server that is restarting (a cluster node that stops): reconnect elsewhere, quickly. */
export const CLOSE_SERVICE_RESTART = 1012;

/**
 * The quick delay after 1012, as the Java SDK's `ReconnectPolicy`: uniform in [minMs, maxMs]; exactly
 * maxMs when jitter is off, so every delay is predictable then.
 */
export function restartDelay({ minMs = 100, maxMs = 1000, random = Math.random, jitter = true } = {}) {
    if (!jitter || maxMs === minMs) {
        return maxMs;
    }
    return Math.round(minMs + random() * (maxMs - minMs));
}

/**
 * Reconnect delays, the same as the Java SDK's `Backoff`: base, base·2, base·4 … capped at `maxMs`, then
 * jitter. The cap is applied before the jitter, so clients that have all reached the cap are still spread
 * out instead of retrying in lockstep. A delay is drawn uniformly from [capped·(1 − jitter), capped]
 * ("equal jitter" with the default 0.5: a client at the cap waits 15–30 s), so no delay exceeds the cap.
 * With `jitter: 0` the sequence is exactly 1000, 2000, 4000, 8000, 16000, 30000, 30000 …
 */
export class Backoff {
    /**
     * @param {object} [options]
     * @param {number} [options.baseMs=1000] first delay
     * @param {number} [options.maxMs=30000] cap, applied before jitter
     * @param {number} [options.jitter=0.5] share of each delay that is randomised, in [0, 1]; 0 turns it off
     * @param {() => number} [options.random=Math.random] random source in [0, 1), for deterministic tests
     */
    constructor({ baseMs = 1000, maxMs = 30000, jitter = 0.5, random = Math.random } = {}) {
        if (!(baseMs > 0) || !(maxMs >= baseMs)) {
            throw new RangeError('need 0 < baseMs <= maxMs');
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new RangeError('jitter must be within [0, 1]');
        }
        this.baseMs = baseMs;
        this.maxMs = maxMs;
        this.jitter = jitter;
        this.random = random;
        this.attempt = 0;
    }

    /** The delay before the next attempt, in ms; each call moves one step further. */
    next() {
        // Stop doubling once at the cap so the exponent never overflows, however long we retry.
        const capped = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
        this.attempt++;
        if (this.jitter === 0) {
            return capped;
        }
        const low = capped * (1 - this.jitter);
        return Math.round(low + this.random() * (capped - low));
    }

    /** After a successful connection: the next delay is the first one again. */
    reset() {
        this.attempt = 0;
    }
}

/**
 * Applies a status to a view (Map user_id → status) if it is newer than what the view holds.
 * @returns {boolean} whether it was applied
 */
export function applyStatus(view, status) {
    if (!status || typeof status.user_id !== 'string') {
        return false;
    }
    const held = view.get(status.user_id);
    if (held !== undefined && !(Number(status.version) > Number(held.version))) {
        return false;
    }
    view.set(status.user_id, {
        user_id: status.user_id,
        is_online: Boolean(status.is_online),
        last_seen: status.last_seen ?? null,
        version: Number(status.version),
    });
    return true;
}

/**
 * A snapshot (welcome.presence) as a fresh view: it replaces whatever was held before, because it is
 * how a reconnecting client catches up on what it missed.
 */
export function snapshotView(presence) {
    const view = new Map();
    for (const status of presence || []) {
        if (status && typeof status.user_id === 'string') {
            view.set(status.user_id, {
                user_id: status.user_id,
                is_online: Boolean(status.is_online),
                last_seen: status.last_seen ?? null,
                version: Number(status.version),
            });
        }
    }
    return view;
}

/** The WebSocket URL of the server that served this page (same origin; `/ws`). */
export function sameOriginWsUrl(loc = globalThis.location) {
    const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${loc.host}/ws`;
}

/**
 * The WebSocket addresses the page connects to:
 * 1. the `content` of `<meta name="presence-servers">` (comma-separated ws:/wss: URLs), when the page has
 *    one: whoever serves the page chose them;
 * 2. else the `servers` query parameter (comma-separated), keeping only addresses on the page's own host
 *    name (any port): a link must not be able to send the login token to somebody else's server;
 * 3. else the page's own origin (`sameOriginWsUrl`).
 * On an https page only wss: addresses are kept (a browser refuses ws: there anyway).
 * @returns {{urls: string[], ignored: string[]}}
 */
export function serverList(loc = globalThis.location, doc = globalThis.document) {
    const secure = loc.protocol === 'https:';
    const parse = (text, sameHostOnly) => {
        const urls = [];
        const ignored = [];
        for (const part of String(text).split(',')) {
            const candidate = part.trim();
            if (!candidate) {
                continue;
            }
            let url;
            try {
                url = new URL(candidate);
            } catch {
                ignored.push(candidate);
                continue;
            }
            const schemeOk = url.protocol === 'wss:' || (url.protocol === 'ws:' && !secure);
            if (!schemeOk || url.username || url.password || (sameHostOnly && url.hostname !== loc.hostname)) {
                ignored.push(candidate);
                continue;
            }
            urls.push(url.href);
        }
        return { urls, ignored };
    };
    const meta = doc && doc.querySelector ? doc.querySelector('meta[name="presence-servers"]') : null;
    if (meta && meta.content && meta.content.trim()) {
        const fromMeta = parse(meta.content, false);
        if (fromMeta.urls.length > 0) {
            return fromMeta;
        }
    }
    const param = new URLSearchParams(loc.search || '').get('servers');
    if (param) {
        const fromQuery = parse(param, true);
        if (fromQuery.urls.length > 0) {
            return fromQuery;
        }
        return { urls: [sameOriginWsUrl(loc)], ignored: fromQuery.ignored };
    }
    return { urls: [sameOriginWsUrl(loc)], ignored: [] };
}

/** A WebSocket client for presence, with hello authentication, liveness and reconnects. */
export class PresenceClient extends EventTarget {
    /**
     * @param {object} options
     * @param {string} [options.url] WebSocket URL (e.g. sameOriginWsUrl())
     * @param {string[]} [options.urls] several WebSocket URLs (the nodes of a cluster), instead of `url`
     * @param {string|(() => string)} options.token bearer token, or a function that returns the current one
     * @param {string} [options.device] label of this device, shown nowhere but useful in server logs
     * @param {boolean} [options.reconnect=true] reconnect automatically after a loss
     * @param {Backoff|object} [options.backoff] a Backoff, or options for one (e.g. {jitter: 0}); its random
     *        source also picks the first address and the quick delay after 1012
     * @param {object} [options.restart] the quick delay after 1012: {minMs=100, maxMs=1000, maxInARow=3,
     *        settledMs=10000} (a connection that lasted settledMs starts a new row)
     * @param {number} [options.connectTimeoutMs=10000] how long an attempt may take until `welcome`
     * @param {number} [options.hiddenLongMs=60000] hidden at least this long counts as "a long sleep"
     * @param {Function} [options.WebSocket] WebSocket constructor (tests can pass a fake)
     * @param {object} [options.timers] {setTimeout, clearTimeout, now} (tests can pass fakes)
     * @param {EventTarget|null} [options.window] where `online`/`offline` come from (null: not watched)
     * @param {Document|null} [options.document] where `visibilitychange` comes from (null: not watched)
     */
    constructor(options) {
        super();
        const urls = options && (Array.isArray(options.urls) ? options.urls : options.url ? [options.url] : []);
        if (!urls || urls.length === 0 || urls.some((u) => typeof u !== 'string' || !u)) {
            throw new TypeError('url (or urls) is required');
        }
        /** The addresses, in the order they are taken. */
        this.urls = [...urls];
        this._token = options.token;
        this.device = options.device;
        this.autoReconnect = options.reconnect !== false;
        this.backoff = options.backoff instanceof Backoff ? options.backoff : new Backoff(options.backoff || {});
        this.restart = { minMs: 100, maxMs: 1000, maxInARow: 3, settledMs: 10000, ...(options.restart || {}) };
        // one address: no draw, so a seeded random source gives the same delays as with a single url
        this._urlIndex = this.urls.length === 1 ? 0 : Math.floor(this.backoff.random() * this.urls.length) % this.urls.length;
        this._quickInARow = 0;
        this._welcomedAt = null;
        this.connectTimeoutMs = options.connectTimeoutMs ?? 10000;
        this.hiddenLongMs = options.hiddenLongMs ?? 60000;
        this._WebSocket = options.WebSocket || globalThis.WebSocket;
        const timers = options.timers || {};
        this._setTimeout = timers.setTimeout || globalThis.setTimeout.bind(globalThis);
        this._clearTimeout = timers.clearTimeout || globalThis.clearTimeout.bind(globalThis);
        this._now = timers.now || (() => Date.now());
        this._window = options.window === undefined ? globalThis.window ?? null : options.window;
        this._document = options.document === undefined ? globalThis.document ?? null : options.document;

        /** Map user_id → {user_id, is_online, last_seen, version}: the live view. */
        this.presence = new Map();
        this.state = State.IDLE;
        this.sessionId = null;
        this.userId = null;
        this.heartbeat = null;
        this.lastReceivedAt = 0;

        this._ws = null;
        this._retryTimer = null;
        this._livenessTimer = null;
        this._stopped = true;
        this._hiddenSince = null;

        this._onOnline = () => this._browserOnline();
        this._onOffline = () => this._browserOffline();
        this._onVisibility = () => this._visibilityChanged();
    }

    /** The address of the current connection, or of the next attempt. */
    get url() {
        return this.urls[this._urlIndex];
    }

    /** Starts connecting (and keeps the connection up until close()). */
    connect() {
        if (!this._stopped) {
            return;
        }
        this._stopped = false;
        this._watchBrowser(true);
        if (this._browserSaysOffline()) {
            this._setState(State.OFFLINE);
            return;
        }
        this._open();
    }

    /** Closes the connection for good: no more reconnects. */
    close(code = 1000, reason = 'bye') {
        this._stopped = true;
        this._watchBrowser(false);
        this._cancelRetry();
        this._dropSocket(code, reason);
        this._setState(State.CLOSED);
    }

    /** Drops the current connection (if any) and connects again now, without waiting for the backoff. */
    reconnectNow() {
        if (this._stopped || this.state === State.UNAUTHORIZED) {
            return;
        }
        this._cancelRetry();
        this._dropSocket(4000, 'reconnect');
        this._open();
    }

    /** Sends a frame (an object, serialised as JSON) if connected; returns whether it was sent. */
    send(frame) {
        if (this._ws && this.state === State.CONNECTED && this._ws.readyState === 1) {
            this._ws.send(JSON.stringify(frame));
            return true;
        }
        return false;
    }

    /** The status held for a user, or undefined. */
    statusOf(userId) {
        return this.presence.get(userId);
    }

    // ---- connection lifecycle ------------------------------------------------------------------------

    _token_() {
        return typeof this._token === 'function' ? this._token() : this._token;
    }

    _open() {
        // attempt > 0: this is a retry after a failure or a loss (the page says "reconnecting…").
        this._setState(State.CONNECTING, { attempt: this.backoff.attempt, url: this.url });
        let ws;
        try {
            ws = new this._WebSocket(this.url);
        } catch (e) {
            this._lost(null, 'cannot open: ' + e.message);
            return;
        }
        this._ws = ws;
        // Until welcome, the attempt as a whole has a deadline: a blackholed network can leave the
        // handshake hanging for minutes otherwise.
        this._armLiveness(this._attemptTimeoutMs(), 'no welcome in time');
        ws.onopen = () => {
            if (ws !== this._ws) {
                return;
            }
            const hello = { type: 'hello', token: this._token_() };
            if (this.device) {
                hello.device = this.device;
            }
            ws.send(JSON.stringify(hello));
        };
        ws.onmessage = (event) => {
            if (ws !== this._ws) {
                return;
            }
            this._received(event.data);
        };
        ws.onclose = (event) => {
            if (ws !== this._ws) {
                return;
            }
            this._ws = null;
            this._lost(event.code, event.reason);
        };
        ws.onerror = () => {
            // a close event always follows; nothing to do here
        };
    }

    _attemptTimeoutMs() {
        if (this.heartbeat) {
            return Math.max(this.connectTimeoutMs, this.heartbeat.interval_ms + this.heartbeat.timeout_ms);
        }
        return this.connectTimeoutMs;
    }

    _received(data) {
        this.lastReceivedAt = this._now();
        if (this.state === State.CONNECTED && this.heartbeat) {
            this._armLiveness(this.heartbeat.interval_ms + this.heartbeat.timeout_ms, 'heartbeat timeout');
        }
        let frame;
        try {
            frame = JSON.parse(data);
        } catch {
            return;
        }
        if (!frame || typeof frame.type !== 'string') {
            return;
        }
        this._emit('frame', frame);
        switch (frame.type) {
            case 'ping':
                this.send({ type: 'pong' });
                break;
            case 'welcome':
                this._welcome(frame);
                break;
            case 'user_status_changed':
                this._applyStatus(frame);
                break;
            case 'status_batch':
                // Several changes in one frame: each entry is a user_status_changed of its own, version
                // rule included, so a stale entry is dropped without affecting the others.
                for (const status of Array.isArray(frame.statuses) ? frame.statuses : []) {
                    this._applyStatus(status);
                }
                break;
            default:
                this._emit(frame.type, frame);
        }
    }

    _applyStatus(status) {
        if (applyStatus(this.presence, status)) {
            this._emit('status', this.presence.get(status.user_id));
        }
    }

    _welcome(frame) {
        this.sessionId = frame.session_id ?? null;
        this.userId = frame.user_id ?? null;
        const hb = frame.heartbeat || {};
        this.heartbeat = {
            interval_ms: Number(hb.interval_ms) > 0 ? Number(hb.interval_ms) : 20000,
            timeout_ms: Number(hb.timeout_ms) > 0 ? Number(hb.timeout_ms) : 10000,
        };
        this.presence = snapshotView(frame.presence);
        this.backoff.reset();
        this._welcomedAt = this._now();
        this._setState(State.CONNECTED);
        this._armLiveness(this.heartbeat.interval_ms + this.heartbeat.timeout_ms, 'heartbeat timeout');
        this._emit('snapshot', { presence: this.presence });
        this._emit('welcome', frame);
    }

    _armLiveness(ms, why) {
        this._clearLiveness();
        this._livenessTimer = this._setTimeout(() => {
            this._livenessTimer = null;
            // The socket may be unable to finish a close handshake (the network is gone), so do not wait
            // for its close event: forget it and move on.
            this._dropSocket(4000, why);
            this._lost(null, why);
        }, ms);
    }

    _clearLiveness() {
        if (this._livenessTimer !== null) {
            this._clearTimeout(this._livenessTimer);
            this._livenessTimer = null;
        }
    }

    _dropSocket(code, reason) {
        this._clearLiveness();
        const ws = this._ws;
        this._ws = null;
        if (ws) {
            ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
            try {
                ws.close(code, reason);
            } catch {
                // already closing
            }
        }
    }

    _lost(code, reason) {
        this._clearLiveness();
        if (this._stopped) {
            return;
        }
        const upMs = this.state === State.CONNECTED && this._welcomedAt !== null ? this._now() - this._welcomedAt : null;
        this._welcomedAt = null;
        // this address just failed us: the next attempt goes to the next one
        this._urlIndex = (this._urlIndex + 1) % this.urls.length;
        if (code === CLOSE_UNAUTHORIZED) {
            this._stopped = true;
            this._watchBrowser(false);
            this._setState(State.UNAUTHORIZED, { code, reason });
            return;
        }
        if (!this.autoReconnect) {
            this._stopped = true;
            this._watchBrowser(false);
            this._setState(State.CLOSED, { code, reason });
            return;
        }
        if (this._browserSaysOffline()) {
            this._setState(State.OFFLINE, { code, reason });
            return;
        }
        this._scheduleRetry(code, reason, upMs);
    }

    /** @param {number|null} upMs how long the lost connection had been welcomed; null if it never was */
    _scheduleRetry(code, reason, upMs = null) {
        this._cancelRetry();
        const delayMs = this._delayAfter(code, upMs);
        const retryAt = this._now() + delayMs;
        this._retryTimer = this._setTimeout(() => {
            this._retryTimer = null;
            this._open();
        }, delayMs);
        this._setState(State.RECONNECTING, { delayMs, retryAt, code, reason, url: this.url });
    }

    /**
     * 1012 on a welcomed connection: a quick, jittered delay, at most `restart.maxInARow` times in a row
     * (a connection that lasted `restart.settledMs` starts a new row), so a server that welcomes and
     * restarts again and again cannot make us loop. Anything else, and a failed quick attempt: the backoff.
     */
    _delayAfter(code, upMs) {
        if (code === CLOSE_SERVICE_RESTART && upMs !== null) {
            if (upMs >= this.restart.settledMs) {
                this._quickInARow = 0;
            }
            if (this._quickInARow < this.restart.maxInARow) {
                this._quickInARow++;
                return restartDelay({
                    minMs: this.restart.minMs, maxMs: this.restart.maxMs,
                    random: this.backoff.random, jitter: this.backoff.jitter > 0,
                });
            }
        }
        return this.backoff.next();
    }

    _cancelRetry() {
        if (this._retryTimer !== null) {
            this._clearTimeout(this._retryTimer);
            this._retryTimer = null;
        }
    }

    // ---- the browser's hints -------------------------------------------------------------------------

    _watchBrowser(on) {
        const method = on ? 'addEventListener' : 'removeEventListener';
        if (this._window && this._window[method]) {
            this._window[method]('online', this._onOnline);
            this._window[method]('offline', this._onOffline);
        }
        if (this._document && this._document[method]) {
            this._document[method]('visibilitychange', this._onVisibility);
        }
    }

    _browserSaysOffline() {
        const nav = this._window && this._window.navigator;
        return Boolean(nav && nav.onLine === false);
    }

    _browserOnline() {
        if (this._stopped) {
            return;
        }
        if (this.state === State.CONNECTED) {
            // The socket may have died silently while the network was away; liveness would find out,
            // but we can find out sooner by starting afresh only if nothing arrived lately.
            if (this.heartbeat && this._now() - this.lastReceivedAt > this.heartbeat.interval_ms) {
                this.reconnectNow();
            }
            return;
        }
        if (this.state !== State.CONNECTING) {
            this.backoff.reset();
            this.reconnectNow();
        }
    }

    _browserOffline() {
        if (this._stopped || this.state === State.OFFLINE) {
            return;
        }
        // The browser says there is no network: whatever socket we have is dead or about to be, and
        // retrying is pointless. Say "offline" now (not after a heartbeat timeout) and wait for `online`,
        // which brings us back at once.
        this._cancelRetry();
        this._dropSocket(1000, 'browser offline');
        this._setState(State.OFFLINE);
    }

    _visibilityChanged() {
        if (this._stopped || !this._document) {
            return;
        }
        if (this._document.visibilityState === 'hidden') {
            this._hiddenSince = this._now();
            return;
        }
        const hiddenFor = this._hiddenSince === null ? 0 : this._now() - this._hiddenSince;
        this._hiddenSince = null;
        if (hiddenFor < this.hiddenLongMs) {
            return;
        }
        // After a long sleep timers may not have fired and the socket may be long dead.
        if (this.state !== State.CONNECTED
            || (this.heartbeat && this._now() - this.lastReceivedAt > this.heartbeat.interval_ms)) {
            this.backoff.reset();
            this.reconnectNow();
        }
    }

    // ---- events --------------------------------------------------------------------------------------

    _setState(state, extra = {}) {
        this.state = state;
        this._emit('state', { state, ...extra });
    }

    _emit(type, detail) {
        this.dispatchEvent(new CustomEvent(type, { detail }));
    }
}
