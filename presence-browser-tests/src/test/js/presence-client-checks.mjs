// Checks of presence-client.js's logic with fake timers and a fake WebSocket: no network, no browser
// needed. The same file runs in two places:
//   - in Chromium, from PresenceClientLogicTest (Maven), which imports it as a module from the page's origin;
//   - with Node, without npm:  node presence-browser-tests/src/test/js/presence-client-checks.test.mjs
// Each check throws on failure; runChecks() returns the names of the checks that passed.

export async function runChecks(client) {
    const { Backoff, PresenceClient, applyStatus, snapshotView, State, serverList, restartDelay } = client;
    const passed = [];
    const check = async (name, body) => {
        try {
            await body();
        } catch (e) {
            throw new Error(`${name}: ${e.message}`);
        }
        passed.push(name);
    };
    const eq = (actual, expected, what) => {
        const a = JSON.stringify(actual);
        const e = JSON.stringify(expected);
        if (a !== e) {
            throw new Error(`${what}: expected ${e}, got ${a}`);
        }
    };
    const ok = (cond, what) => {
        if (!cond) {
            throw new Error(what);
        }
    };

    await check('backoff without jitter is 1, 2, 4, 8, 16, 30, 30 s forever', () => {
        const b = new Backoff({ jitter: 0 });
        const seq = Array.from({ length: 9 }, () => b.next());
        eq(seq, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000], 'sequence');
        for (let i = 0; i < 1000; i++) {
            b.next();
        }
        eq(b.next(), 30000, 'after a thousand attempts');
    });

    await check('backoff resets after a success', () => {
        const b = new Backoff({ jitter: 0 });
        b.next(); b.next(); b.next();
        b.reset();
        eq(b.next(), 1000, 'first delay after reset');
    });

    await check('jitter is applied after the cap, so delays at the cap are still spread', () => {
        let r = 0;
        const randoms = [0, 0.25, 0.5, 0.75, 0.999];
        const b = new Backoff({ random: () => randoms[r++ % randoms.length] }); // default jitter 0.5, as the Java SDK
        for (let i = 0; i < 10; i++) {
            b.next(); // well past the cap
        }
        const atCap = Array.from({ length: 5 }, () => b.next());
        eq(atCap, [15000, 18750, 22500, 26250, 29985], 'uniform in [15 s, 30 s]');
        const first = new Backoff({ random: () => 0.5 });
        eq(first.next(), 750, 'first delay: uniform in [0.5 s, 1 s]');
        const none = new Backoff({ jitter: 0.5, random: () => 0.9999999 });
        for (let i = 0; i < 20; i++) {
            ok(none.next() <= 30000, 'never above the cap');
        }
    });

    await check('a status is applied only if its version is greater', () => {
        const view = new Map();
        ok(applyStatus(view, { user_id: 'u', is_online: true, last_seen: 1, version: 5 }), 'first');
        ok(!applyStatus(view, { user_id: 'u', is_online: false, last_seen: 2, version: 4 }), 'older refused');
        ok(!applyStatus(view, { user_id: 'u', is_online: false, last_seen: 2, version: 5 }), 'equal refused');
        eq(view.get('u').is_online, true, 'still online');
        ok(applyStatus(view, { user_id: 'u', is_online: false, last_seen: 3, version: 6 }), 'newer applied');
        eq(view.get('u').is_online, false, 'now offline');
    });

    await check('a snapshot replaces the whole view', () => {
        const view = snapshotView([{ user_id: 'a', is_online: true, last_seen: 1, version: 9 }]);
        eq([...view.keys()], ['a'], 'keys');
        eq(view.get('a').version, 9, 'version');
    });

    // ---- the client against a fake socket and fake time ----
    const harness = (extra = {}) => {
        let now = 0;
        let nextId = 1;
        const timers = new Map();
        const sockets = [];
        class FakeSocket {
            constructor(url) {
                this.url = url;
                this.sent = [];
                this.readyState = 0;
                this.closedWith = null;
                sockets.push(this);
            }
            send(data) { this.sent.push(JSON.parse(data)); }
            close(code) { this.closedWith = code ?? 1000; this.readyState = 3; }
            // driven by the test:
            open() { this.readyState = 1; this.onopen && this.onopen({}); }
            receive(frame) { this.onmessage && this.onmessage({ data: JSON.stringify(frame) }); }
            serverClose(code) { this.readyState = 3; this.onclose && this.onclose({ code, reason: '' }); }
        }
        const fakeTimers = {
            setTimeout: (fn, ms) => { const id = nextId++; timers.set(id, { at: now + ms, fn }); return id; },
            clearTimeout: (id) => { timers.delete(id); },
            now: () => now,
        };
        const advance = (ms) => {
            const until = now + ms;
            for (;;) {
                let first = null;
                for (const [id, t] of timers) {
                    if (t.at <= until && (first === null || t.at < timers.get(first).at)) {
                        first = id;
                    }
                }
                if (first === null) {
                    break;
                }
                const t = timers.get(first);
                timers.delete(first);
                now = t.at;
                t.fn();
            }
            now = until;
        };
        const win = new EventTarget();
        win.navigator = { onLine: true };
        const doc = new EventTarget();
        doc.visibilityState = 'visible';
        const c = new PresenceClient({
            url: 'ws://test/ws', token: 'secret-token', WebSocket: FakeSocket, timers: fakeTimers,
            backoff: { jitter: 0 }, window: win, document: doc, hiddenLongMs: 60000, ...extra,
        });
        const welcome = (presence = [], hb = { interval_ms: 1000, timeout_ms: 500 }) =>
            ({ type: 'welcome', session_id: 's', user_id: 'me', heartbeat: hb, presence });
        return { c, sockets, advance, win, doc, welcome, now: () => now };
    };

    await check('hello with the token is the first frame, and the token is not in the URL', () => {
        const h = harness();
        h.c.connect();
        eq(h.sockets.length, 1, 'one socket');
        ok(!h.sockets[0].url.includes('secret-token'), 'token not in URL');
        h.sockets[0].open();
        eq(h.sockets[0].sent[0], { type: 'hello', token: 'secret-token' }, 'hello');
        h.c.close();
    });

    await check('ping is answered with pong', () => {
        const h = harness();
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].receive(h.welcome());
        eq(h.c.state, State.CONNECTED, 'state');
        h.sockets[0].receive({ type: 'ping' });
        eq(h.sockets[0].sent.at(-1), { type: 'pong' }, 'pong');
        h.c.close();
    });

    await check('welcome replaces the view; status changes are version-checked', () => {
        const h = harness();
        const applied = [];
        h.c.addEventListener('status', (e) => applied.push(e.detail.version));
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].receive(h.welcome([{ user_id: 'b', is_online: true, last_seen: 1, version: 10 }]));
        h.sockets[0].receive({ type: 'user_status_changed', user_id: 'b', is_online: false, timestamp: 1, last_seen: 2, version: 9 });
        eq(h.c.statusOf('b').is_online, true, 'stale event ignored');
        h.sockets[0].receive({ type: 'user_status_changed', user_id: 'b', is_online: false, timestamp: 1, last_seen: 2, version: 11 });
        eq(h.c.statusOf('b').is_online, false, 'newer event applied');
        eq(applied, [11], 'status events');
        h.sockets[0].receive(h.welcome([{ user_id: 'c', is_online: true, last_seen: 1, version: 1 }]));
        eq(h.c.statusOf('b'), undefined, 'b gone after a new snapshot');
        eq(h.c.statusOf('c').is_online, true, 'c from the snapshot');
        h.c.close();
    });

    await check('a status_batch is applied entry by entry by the version rule', () => {
        const h = harness();
        const applied = [];
        h.c.addEventListener('status', (e) => applied.push(`${e.detail.user_id}@${e.detail.version}`));
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].receive(h.welcome([
            { user_id: 'b', is_online: true, last_seen: 1, version: 10 },
            { user_id: 'c', is_online: false, last_seen: 1, version: 10 },
        ]));
        h.sockets[0].receive({
            type: 'status_batch',
            statuses: [
                { user_id: 'b', is_online: false, timestamp: 1, last_seen: 5, version: 9 },   // stale: dropped
                { user_id: 'c', is_online: true, timestamp: 1, last_seen: 6, version: 11 },   // newer: applied
                { user_id: 'd', is_online: true, timestamp: 1, last_seen: 7, version: 1 },    // new user: applied
                { user_id: 'c', is_online: false, timestamp: 1, last_seen: 8, version: 11 },  // equal: dropped
                { user_id: 'c', is_online: false, timestamp: 1, last_seen: 9, version: 12 },  // newer again: applied
            ],
        });
        eq(applied, ['c@11', 'd@1', 'c@12'], 'status events, one per entry applied, in order');
        eq(h.c.statusOf('b').is_online, true, 'b kept its newer status');
        eq(h.c.statusOf('c'), { user_id: 'c', is_online: false, last_seen: 9, version: 12 }, 'c');
        eq(h.c.statusOf('d').is_online, true, 'd');
        h.sockets[0].receive({ type: 'status_batch' });                       // no list: nothing, no crash
        h.sockets[0].receive({ type: 'status_batch', statuses: [null, 5, { user_id: 7 }] });
        eq(applied.length, 3, 'malformed entries are ignored');
        eq(h.c.state, State.CONNECTED, 'still connected');
        h.c.close();
    });

    await check('silence for interval + timeout drops the socket and reconnects with backoff', () => {
        const h = harness();
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].receive(h.welcome());
        h.advance(1400);
        h.sockets[0].receive({ type: 'ping' }); // resets the deadline
        h.advance(1400);
        eq(h.c.state, State.CONNECTED, 'still connected 1.4 s after the last frame');
        h.advance(100);
        eq(h.sockets[0].closedWith, 4000, 'dead socket closed 1.5 s after the last frame');
        eq(h.c.state, State.RECONNECTING, 'reconnecting');
        h.advance(999);
        eq(h.sockets.length, 1, 'waits 1 s first');
        h.advance(1);
        eq(h.sockets.length, 2, 'then reconnects');
        h.c.close();
    });

    await check('delays double while failing, and reset after a welcome', () => {
        const h = harness();
        const delays = [];
        h.c.addEventListener('state', (e) => e.detail.state === State.RECONNECTING && delays.push(e.detail.delayMs));
        h.c.connect();
        for (let i = 0; i < 7; i++) {
            h.sockets.at(-1).serverClose(1006);
            h.advance(delays.at(-1)); // exactly the announced delay: the next attempt starts
        }
        eq(h.sockets.length, 8, 'one attempt per delay');
        eq(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000], 'delays');
        h.sockets.at(-1).open();
        h.sockets.at(-1).receive(h.welcome());
        h.sockets.at(-1).serverClose(1012);
        eq(delays.at(-1), 1000, 'reset after success');
        h.c.close();
    });

    await check('never reconnects after 4401', () => {
        const h = harness();
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].serverClose(4401);
        eq(h.c.state, State.UNAUTHORIZED, 'state');
        h.advance(10 * 60000);
        h.win.dispatchEvent(new Event('online'));
        eq(h.sockets.length, 1, 'no new socket');
    });

    await check('the browser going online reconnects at once', () => {
        const h = harness();
        h.c.connect();
        for (let i = 0; i < 4; i++) {
            h.sockets.at(-1).serverClose(1006);
            h.advance(h.c.backoff.attempt === 0 ? 0 : 2 ** (h.c.backoff.attempt - 1) * 1000);
        }
        h.sockets.at(-1).serverClose(1006); // now waiting 16 s
        const before = h.sockets.length;
        h.win.dispatchEvent(new Event('online'));
        eq(h.sockets.length, before + 1, 'reconnected without waiting');
        h.c.close();
    });

    await check('going offline pauses retries until online', () => {
        const h = harness();
        h.c.connect();
        h.sockets[0].serverClose(1006);
        h.win.navigator.onLine = false;
        h.win.dispatchEvent(new Event('offline'));
        eq(h.c.state, State.OFFLINE, 'offline');
        h.advance(120000);
        eq(h.sockets.length, 1, 'no attempts while offline');
        h.win.navigator.onLine = true;
        h.win.dispatchEvent(new Event('online'));
        eq(h.sockets.length, 2, 'reconnected when online');
        h.c.close();
    });

    await check('the browser going offline while connected drops the socket and says offline', () => {
        const h = harness();
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].receive(h.welcome());
        h.win.navigator.onLine = false;
        h.win.dispatchEvent(new Event('offline'));
        eq(h.c.state, State.OFFLINE, 'offline at once');
        eq(h.sockets[0].closedWith, 1000, 'socket closed cleanly');
        h.advance(120000);
        eq(h.sockets.length, 1, 'no attempts while offline');
        h.win.navigator.onLine = true;
        h.win.dispatchEvent(new Event('online'));
        eq(h.sockets.length, 2, 'reconnected when online');
        h.c.close();
    });

    await check('visible again after a long hidden period: a stale connection is replaced at once', () => {
        const h = harness();
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].receive(h.welcome([], { interval_ms: 20000, timeout_ms: 10000 }));
        h.doc.visibilityState = 'hidden';
        h.doc.dispatchEvent(new Event('visibilitychange'));
        h.advance(25000); // timers of a sleeping tab may be late: nothing arrived, liveness not yet due
        h.doc.visibilityState = 'visible';
        h.doc.dispatchEvent(new Event('visibilitychange'));
        eq(h.sockets.length, 1, 'a short hide changes nothing');
        h.doc.visibilityState = 'hidden';
        h.doc.dispatchEvent(new Event('visibilitychange'));
        h.sockets[0].receive({ type: 'ping' });
        h.advance(29000);
        h.doc.visibilityState = 'visible';
        h.advance(0);
        // simulate a long sleep: the clock jumped while no timer ran
        h.doc.dispatchEvent(new Event('visibilitychange'));
        ok(h.sockets.length === 1, 'still under 60 s hidden');
        h.doc.visibilityState = 'hidden';
        h.doc.dispatchEvent(new Event('visibilitychange'));
        h.sockets[0].receive({ type: 'ping' });
        // a 90 s sleep with no timers at all: move time without running them
        const c = h.c;
        c._now = ((base) => () => base + 90000)(h.now());
        h.doc.visibilityState = 'visible';
        h.doc.dispatchEvent(new Event('visibilitychange'));
        eq(h.sockets.length, 2, 'replaced at once after a long sleep');
        c.close();
    });

    await check('close() stops for good', () => {
        const h = harness();
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].receive(h.welcome());
        h.c.close();
        eq(h.c.state, State.CLOSED, 'closed');
        eq(h.sockets[0].closedWith, 1000, 'closed with 1000');
        h.advance(10 * 60000);
        eq(h.sockets.length, 1, 'no reconnect');
    });

    // ---- several servers (the nodes of a cluster) ----
    // a seeded random source in [0, 1), so the checks are deterministic
    const seeded = (seed) => () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
    };
    const nodes = ['ws://a/ws', 'ws://b/ws', 'ws://c/ws'];

    await check('several addresses: each client starts at a random one, so a fleet spreads', () => {
        const firsts = new Map();
        const seeds = seeded(7);
        for (let i = 0; i < 300; i++) {
            const h = harness({ url: undefined, urls: nodes, backoff: { random: seeded(Math.floor(seeds() * 1e9)) } });
            h.c.connect();
            firsts.set(h.sockets[0].url, (firsts.get(h.sockets[0].url) || 0) + 1);
            h.c.close();
        }
        eq([...firsts.keys()].sort(), nodes, 'every address is somebody\'s first');
        for (const [url, n] of firsts) {
            ok(n >= 60 && n <= 140, `${url}: ${n} of 300`);
        }
    });

    await check('failed attempts go round robin over the addresses, with the backoff between them', () => {
        const h = harness({ url: undefined, urls: nodes });
        h.c.connect();
        const delays = [];
        h.c.addEventListener('state', (e) => e.detail.state === State.RECONNECTING && delays.push(e.detail.delayMs));
        for (let i = 0; i < 4; i++) {
            h.sockets.at(-1).serverClose(1006);
            h.advance(delays.at(-1));
        }
        const urls = h.sockets.map((s) => s.url);
        const start = nodes.indexOf(urls[0]);
        eq(urls, [0, 1, 2, 3, 4].map((k) => nodes[(start + k) % 3]), 'addresses in turn');
        eq(delays, [1000, 2000, 4000, 8000], 'the backoff, not a hot loop');
        h.c.close();
    });

    await check('after 1012 it comes back within 100–1000 ms, to the next address', () => {
        const seeds = seeded(99);
        const delays = [];
        for (let i = 0; i < 50; i++) {
            const h = harness({ url: undefined, urls: nodes, backoff: { jitter: 0.5, random: seeded(Math.floor(seeds() * 1e9)) } });
            const states = [];
            h.c.addEventListener('state', (e) => states.push(e.detail));
            h.c.connect();
            h.sockets[0].open();
            h.sockets[0].receive(h.welcome());
            h.advance(500); // inside the liveness deadline (1.5 s): the connection is still welcome
            h.sockets[0].serverClose(1012);
            const waiting = states.at(-1);
            eq(waiting.state, State.RECONNECTING, 'reconnecting');
            ok(waiting.delayMs >= 100 && waiting.delayMs <= 1000, `delay ${waiting.delayMs}`);
            delays.push(waiting.delayMs);
            const next = nodes[(nodes.indexOf(h.sockets[0].url) + 1) % 3];
            eq(waiting.url, next, 'announced address');
            h.advance(waiting.delayMs);
            eq(h.sockets.length, 2, 'one new attempt');
            eq(h.sockets[1].url, next, 'to the next address');
            h.c.close();
        }
        ok(new Set(delays).size > 25, 'clients of a stopping node spread out');
        eq(restartDelay({ jitter: false }), 1000, 'without jitter: exactly the longest');
    });

    await check('a failed attempt after 1012 gets the backoff from its base', () => {
        const h = harness({ url: undefined, urls: nodes });
        const delays = [];
        h.c.addEventListener('state', (e) => e.detail.state === State.RECONNECTING && delays.push(e.detail.delayMs));
        h.c.connect();
        h.sockets[0].open();
        h.sockets[0].receive(h.welcome());
        h.sockets[0].serverClose(1012);
        for (let i = 0; i < 3; i++) {
            h.advance(delays.at(-1));
            h.sockets.at(-1).serverClose(1006); // the whole fleet is restarting
        }
        eq(delays, [1000, 1000, 2000, 4000], 'quick once, then 1, 2, 4 s');
        h.c.close();
    });

    await check('1012s on connections that do not settle fall back to the backoff', () => {
        const h = harness({ url: undefined, urls: nodes, restart: { minMs: 100, maxMs: 500 } });
        const delays = [];
        h.c.addEventListener('state', (e) => e.detail.state === State.RECONNECTING && delays.push(e.detail.delayMs));
        h.c.connect();
        for (let i = 0; i < 5; i++) {
            h.sockets.at(-1).open();
            h.sockets.at(-1).receive(h.welcome());
            h.advance(200);
            h.sockets.at(-1).serverClose(1012);
            h.advance(delays.at(-1));
        }
        eq(delays, [500, 500, 500, 1000, 1000], 'three quick ones, then the backoff');
        h.sockets.at(-1).open();
        h.sockets.at(-1).receive(h.welcome([], { interval_ms: 20000, timeout_ms: 10000 }));
        h.advance(10000); // a connection that settled
        h.sockets.at(-1).serverClose(1012);
        eq(delays.at(-1), 500, 'quick again after a settled connection');
        h.c.close();
    });

    await check('a 1012 before the welcome is a failed attempt', () => {
        const h = harness({ url: undefined, urls: nodes });
        const delays = [];
        h.c.addEventListener('state', (e) => e.detail.state === State.RECONNECTING && delays.push(e.detail.delayMs));
        h.c.connect();
        h.sockets[0].serverClose(1006);
        h.advance(1000);
        h.sockets[1].open();
        h.sockets[1].serverClose(1012);
        eq(delays, [1000, 2000], 'the backoff goes on');
        h.c.close();
    });

    await check('the page\'s addresses: a meta tag, else same-host addresses from ?servers=, else its own origin', () => {
        const at = (href) => {
            const u = new URL(href);
            return { protocol: u.protocol, host: u.host, hostname: u.hostname, search: u.search };
        };
        const noMeta = { querySelector: () => null };
        const withMeta = (content) => ({ querySelector: () => ({ content }) });
        eq(serverList(at('http://h:8080/'), noMeta), { urls: ['ws://h:8080/ws'], ignored: [] }, 'default');
        eq(serverList(at('http://h:8080/?servers=ws://h:8081/ws,%20ws://h:8082/ws'), noMeta).urls,
            ['ws://h:8081/ws', 'ws://h:8082/ws'], 'from the query');
        eq(serverList(at('http://h:8080/?servers=ws://evil.example/ws,ws://h:8081/ws'), noMeta),
            { urls: ['ws://h:8081/ws'], ignored: ['ws://evil.example/ws'] }, 'another host from a link is ignored');
        eq(serverList(at('http://h:8080/?servers=ws://evil.example/ws'), noMeta),
            { urls: ['ws://h:8080/ws'], ignored: ['ws://evil.example/ws'] }, 'nothing left: the own origin');
        eq(serverList(at('https://h/?servers=ws://h:81/ws,wss://h:82/ws,javascript:alert(1)'), noMeta).urls,
            ['wss://h:82/ws'], 'https page: wss only');
        eq(serverList(at('http://h:8080/?servers=ws://h:1/ws'), withMeta('wss://n1.example/ws, wss://n2.example/ws')).urls,
            ['wss://n1.example/ws', 'wss://n2.example/ws'], 'the meta tag wins, any host');
        eq(serverList(at('http://h:8080/'), withMeta('  ')).urls, ['ws://h:8080/ws'], 'an empty meta tag is none');
        let thrown = null;
        try {
            new PresenceClient({ urls: [], token: 't' });
        } catch (e) {
            thrown = e;
        }
        ok(thrown instanceof TypeError, 'no address at all is refused');
    });

    return passed;
}

// Checks of format.js: the words next to the dots and in the connection indicator.
export async function runFormatChecks(format) {
    const { statusLabel, connectionLabel } = format;
    const passed = [];
    const eq = (actual, expected, what) => {
        if (actual !== expected) {
            throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
        }
    };
    const now = 1_800_000_000_000;
    eq(statusLabel({ is_online: true, last_seen: now - 5000 }, now), 'online', 'online');
    eq(statusLabel({ is_online: false, last_seen: now - 20_000 }, now), 'last seen just now', 'seconds');
    eq(statusLabel({ is_online: false, last_seen: now - 3 * 60_000 }, now), 'last seen 3 min ago', 'minutes');
    eq(statusLabel({ is_online: false, last_seen: now - 2 * 3_600_000 }, now), 'last seen 2 h ago', 'hours');
    eq(statusLabel({ is_online: false, last_seen: now - 30 * 3_600_000 }, now), 'last seen yesterday', 'yesterday');
    eq(statusLabel({ is_online: false, last_seen: now - 3 * 86_400_000 }, now), 'last seen 3 days ago', 'days');
    eq(statusLabel({ is_online: false, last_seen: null }, now), 'offline', 'never seen');
    eq(statusLabel(undefined, now), 'offline', 'unknown user');
    passed.push('status labels: online, last seen just now / 3 min / 2 h / yesterday / 3 days ago');
    eq(connectionLabel({ state: 'connected' }, now), 'connected', 'connected');
    eq(connectionLabel({ state: 'reconnecting', retryAt: now + 3200 }, now), 'reconnecting in 4 s…', 'countdown');
    eq(connectionLabel({ state: 'connecting', attempt: 0 }, now), 'connecting…', 'first attempt');
    eq(connectionLabel({ state: 'connecting', attempt: 2 }, now), 'reconnecting…', 'retry');
    eq(connectionLabel({ state: 'offline' }, now), 'offline', 'offline');
    passed.push('connection labels: connected, reconnecting in 4 s…, offline');

    const { nextLabelChange } = format;
    const s = (msAgo) => ({ is_online: false, last_seen: now - msAgo });
    eq(nextLabelChange(s(0), now), 60_000, 'just gone: changes when the minute is up');
    eq(nextLabelChange(s(59_999), now), 1, '1 ms before "1 min ago"');
    eq(statusLabel(s(60_000), now), 'last seen 1 min ago', 'the boundary itself');
    eq(nextLabelChange(s(60_000), now), 60_000, 'then a minute until "2 min ago"');
    eq(nextLabelChange(s(90_500), now), 29_500, 'half way through a minute');
    eq(nextLabelChange(s(59 * 60_000 + 1_000), now), 59_000, 'then "1 h ago"');
    eq(statusLabel(s(60 * 60_000), now), 'last seen 1 h ago', 'one hour');
    eq(nextLabelChange(s(90 * 60_000), now), 30 * 60_000, 'hours change on the hour');
    eq(nextLabelChange(s(23 * 3_600_000 + 1), now), 3_600_000 - 1, 'then "yesterday"');
    eq(nextLabelChange(s(36 * 3_600_000), now), 12 * 3_600_000, 'days change on the day');
    eq(nextLabelChange(s(8 * 86_400_000), now), Infinity, 'a date never changes');
    eq(nextLabelChange(s(-5_000), now), 65_000, 'a last_seen slightly ahead of this clock');
    eq(nextLabelChange({ is_online: true, last_seen: now }, now), Infinity, 'online: nothing to refresh');
    eq(nextLabelChange({ is_online: false, last_seen: null }, now), Infinity, 'never seen');
    eq(nextLabelChange(undefined, now), Infinity, 'unknown');
    // Every boundary predicted is a real change of the words, and nothing changes before it.
    for (const ago of [0, 1, 59_000, 61_000, 3_599_999, 3_600_000, 86_399_000, 86_400_000, 6 * 86_400_000 + 5]) {
        const wait = nextLabelChange(s(ago), now);
        const at = statusLabel(s(ago), now);
        eq(statusLabel(s(ago), now + wait - 1), at, `same words until just before the change (${ago} ms ago)`);
        if (statusLabel(s(ago), now + wait) === at) {
            throw new Error(`the words change at the predicted moment (${ago} ms ago): still ${at}`);
        }
    }
    passed.push('next label change: at the minute, hour and day boundaries, never for online or dated labels');
    return passed;
}

// Checks of errors.js: friendly, field-specific words for what went wrong.
export async function runErrorChecks(errors) {
    const { friendlyError, checkBeforeSending, parseRetryAfter, tooManyAttempts } = errors;
    const FIELD_TEXT_DISPLAY_NAME = 'Display names are 1 to 100 characters, without control characters.';
    const passed = [];
    const eq = (actual, expected, what) => {
        const a = JSON.stringify(actual);
        const e = JSON.stringify(expected);
        if (a !== e) {
            throw new Error(`${what}: expected ${e}, got ${a}`);
        }
    };
    const err = (status, code, message, retryAfterSeconds = null) => ({ status, code, message, retryAfterSeconds });

    eq(checkBeforeSending('signup', { username: 'al', password: 'long enough' }).field, 'username', 'short username');
    eq(checkBeforeSending('signup', { username: 'al ice', password: 'long enough' }),
        { field: 'username', text: 'A username cannot contain spaces: use letters, digits, _ . or -' }, 'space in username');
    eq(checkBeforeSending('signup', { username: 'al', password: 'long enough' }).text,
        'Too short: a username has at least 3 characters.', 'short username words');
    eq(checkBeforeSending('signup', { username: 'alice', password: 'short' }),
        { field: 'password', text: 'Passwords are 8 to 128 characters. This one has 5.' }, 'short password');
    eq(checkBeforeSending('signup', { username: 'alice', password: 'x'.repeat(129) }).field, 'password', 'long password');
    eq(checkBeforeSending('signup', { username: 'alice', password: 'x'.repeat(128) }), null, '128 is fine');
    eq(checkBeforeSending('signup', { username: 'alice', password: '12345678' }), null, '8 is fine');
    eq(checkBeforeSending('signup', { username: 'alice', password: '12345678', display_name: 'x'.repeat(101) }).field,
        'display_name', 'long display name');
    eq(checkBeforeSending('login', { username: '', password: 'x' }).field, 'username', 'login without username');
    eq(checkBeforeSending('login', { username: 'a', password: '' }).field, 'password', 'login without password');
    eq(checkBeforeSending('profile', { display_name: '' }), { field: 'display_name', text: 'Enter a display name.' }, 'no name');
    eq(checkBeforeSending('profile', { display_name: 'x'.repeat(101) }).text, FIELD_TEXT_DISPLAY_NAME, 'long name');
    eq(checkBeforeSending('thread', { title: '' }).field, 'title', 'no title');
    eq(checkBeforeSending('message', { text: 'x'.repeat(4001) }).field, 'text', 'long message');
    eq(checkBeforeSending('invite', { username: '' }).field, 'username', 'invite nobody');
    passed.push('local checks: username, password 8 to 128, display name, title, message, invite');

    eq(friendlyError(err(400, 'invalid_request', 'password must be 8 to 128 characters'), { form: 'signup' }),
        { field: 'password', text: 'Passwords are 8 to 128 characters.' }, 'server says password');
    eq(friendlyError(err(400, 'invalid_request', "username must be 3 to 32 letters, digits, '_', '.' or '-'"), { form: 'signup' }).field,
        'username', 'server says username');
    eq(friendlyError(err(400, 'invalid_request', 'display_name must not contain control characters'), { form: 'profile' }).field,
        'display_name', 'server says display_name');
    eq(friendlyError(err(409, 'username_taken', "username 'alice' is taken"), { form: 'signup' }),
        { field: 'username', text: 'That username is taken. Try another one.' }, 'taken');
    eq(friendlyError(err(401, 'unauthorized', 'wrong username or password'), { form: 'login' }),
        { field: 'password', also: ['username'], text: 'Wrong username or password.' }, 'wrong password');
    eq(friendlyError(err(404, 'not_found', "user 'zed' not found"), { form: 'invite', username: 'zed' }),
        { field: 'username', text: 'There is no user “zed”.' }, 'invite unknown');
    eq(friendlyError(err(409, 'already_member', 'zed is already a member'), { form: 'invite', username: 'zed' }).text,
        '“zed” is already in this thread.', 'already member');
    eq(friendlyError(err(0, 'network', 'The server cannot be reached.'), { form: 'login' }).field, null, 'network: whole form');
    eq(friendlyError(err(503, 'busy', 'the server is busy; try again shortly')).text, 'The server is busy. Try again in a moment.', 'busy');
    eq(friendlyError(err(400, 'invalid_request', 'something odd')).text.includes('something odd'), true, 'unknown 400 keeps the words');
    passed.push('server answers become friendly words on the right field');

    eq(friendlyError(err(429, 'rate_limited', 'too many login attempts', 30), { form: 'login' }),
        { field: null, text: 'Too many attempts. Try again in 30 s.' }, '429 with Retry-After');
    eq(friendlyError(err(429, 'rate_limited', 'slow down', null), { form: 'message' }).text,
        'Too many attempts. Try again in a moment.', '429 without Retry-After');
    eq(tooManyAttempts(1.2), 'Too many attempts. Try again in 2 s.', 'rounded up');
    eq(parseRetryAfter('30'), 30, 'seconds');
    eq(parseRetryAfter(null), null, 'absent');
    eq(parseRetryAfter('soon'), null, 'unreadable');
    eq(parseRetryAfter(new Date(1_800_000_060_000).toUTCString(), 1_800_000_000_000), 60, 'an HTTP date');
    passed.push('429: "too many attempts, try again in N s" from Retry-After (seconds or a date)');
    return passed;
}

// Checks of session-store.js with fake storages and an in-memory BroadcastChannel: where the login is kept.
export async function runSessionStoreChecks(sessionStoreModule) {
    const { SessionStore } = sessionStoreModule;
    const passed = [];
    const eq = (actual, expected, what) => {
        const a = JSON.stringify(actual);
        const e = JSON.stringify(expected);
        if (a !== e) {
            throw new Error(`${what}: expected ${e}, got ${a}`);
        }
    };
    class FakeStorage {
        constructor() { this.map = new Map(); }
        getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
        setItem(k, v) { this.map.set(k, String(v)); }
        removeItem(k) { this.map.delete(k); }
    }
    // One "browser": channels of the same name deliver to each other (asynchronously, like the real one).
    const channels = new Set();
    class FakeChannel {
        constructor(name) { this.name = name; this.onmessage = null; channels.add(this); }
        postMessage(data) {
            const copy = JSON.parse(JSON.stringify(data));
            for (const other of channels) {
                if (other !== this && other.name === this.name) {
                    setTimeout(() => other.onmessage && other.onmessage({ data: copy }), 0);
                }
            }
        }
    }
    const local = new FakeStorage();
    const alice = { id: 'u1', username: 'alice', display_name: 'Alice' };
    const tab = () => new SessionStore({ local, session: new FakeStorage(), Channel: FakeChannel });

    const first = tab();
    first.save('tok-1', alice, false);
    eq(first.session.getItem('presence.token'), 'tok-1', 'not remembered: in the sessionStorage of the tab');
    eq(local.getItem('presence.token'), null, 'not remembered: never in localStorage');
    eq(first.load(), { token: 'tok-1', user: alice, remembered: false }, 'a reload of the tab finds it');

    const second = tab();
    eq(second.load(), null, 'a new tab has nothing of its own');
    eq(await second.askOtherTabs(200), { token: 'tok-1', user: alice, remembered: false }, 'it gets the login from the open tab');
    passed.push('not remembered: kept in the tab, shared with new tabs over a BroadcastChannel, never in localStorage');

    first.save('tok-2', alice, true);
    eq(local.getItem('presence.token'), 'tok-2', 'remembered: in localStorage');
    eq(first.session.getItem('presence.token'), null, 'and no longer in sessionStorage');
    const afterRestart = new SessionStore({ local, session: new FakeStorage(), Channel: null });
    eq(afterRestart.load(), { token: 'tok-2', user: alice, remembered: true }, 'a browser restart finds it');
    first.updateUser({ ...alice, display_name: 'Ali' });
    eq(JSON.parse(local.getItem('presence.user')).display_name, 'Ali', 'a new display name is kept with it');
    passed.push('remembered: kept in localStorage, survives a restart');

    let loggedOut = 0;
    second.save('tok-2', alice, true, { announce: false });
    second.addEventListener('logout', () => loggedOut++);
    first.clear({ announce: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    eq(local.getItem('presence.token'), null, 'logout forgets the remembered token');
    eq(first.session.getItem('presence.token'), null, 'and the one of the tab');
    eq(loggedOut, 1, 'the other tab with that token is told to log out');
    const lonely = new SessionStore({ local: new FakeStorage(), session: new FakeStorage(), Channel: FakeChannel });
    channels.clear();
    eq(await lonely.askOtherTabs(30), null, 'nobody to ask: no login after the wait');
    passed.push('logout: forgotten everywhere, other tabs follow');
    return passed;
}
