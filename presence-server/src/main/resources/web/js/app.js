/**
 * app.js — the page: log in, threads with who is online, messages, invitations, profile.
 *
 * Rules kept throughout: text from users goes into the page with textContent only (never innerHTML);
 * no inline styles or handlers (the server's CSP forbids them); the token is kept by session-store.js
 * (this tab's sessionStorage, or localStorage with "keep me signed in") and travels in the Authorization
 * header (HTTP) and in the hello frame (WebSocket), never in a URL.
 */
import { Api, ApiError } from './api.js';
import { PresenceClient, State, serverList } from './presence-client.js';
import { statusLabel, connectionLabel, clockTime, nextLabelChange } from './format.js';
import { checkBeforeSending, friendlyError } from './errors.js';
import { SessionStore } from './session-store.js';

/** A refresh is never scheduled further out than this (timers drift on sleeping machines). */
const MAX_LABEL_REFRESH_MS = 60 * 60_000;

const $ = (id) => document.getElementById(id);

/** Everything the page knows; rendering reads from here. */
const model = {
    token: null,
    me: null,                 // {id, username, display_name}
    threads: new Map(),       // id → {id, title, users: [member]}
    users: new Map(),         // id → member (name, and the status the HTTP API last gave)
    invitations: new Map(),   // id → invitation
    openThreadId: null,
    messages: [],             // of the open thread, oldest first
    messageIds: new Set(),
    unread: new Map(),        // thread id → count
};

const api = new Api(() => model.token);
const store = new SessionStore();
let client = null;
let connectionTicker = null;
let labelTimer = null;
let lastConnectionDetail = { state: 'none' };

// ---- small DOM helpers (text only) ---------------------------------------------------------------------

/** Creates an element; `text` (if given) becomes its textContent, never parsed as HTML. */
function el(tag, { className, text, data, attrs } = {}, children = []) {
    const node = document.createElement(tag);
    if (className) {
        node.className = className;
    }
    if (text !== undefined && text !== null) {
        node.textContent = String(text);
    }
    for (const [key, value] of Object.entries(data || {})) {
        node.dataset[key] = String(value);
    }
    for (const [key, value] of Object.entries(attrs || {})) {
        node.setAttribute(key, String(value));
    }
    for (const child of children) {
        if (child) {
            node.append(child);
        }
    }
    return node;
}

function show(node, visible) {
    node.hidden = !visible;
}

let noticeTimer = null;

/** A message for the whole page, in the view that is showing (signed in or not). */
function notice(text, { sticky = false } = {}) {
    hideNotices();
    const box = model.token ? $('app-notice') : $('notice');
    box.textContent = text;
    show(box, true);
    if (!sticky) {
        noticeTimer = setTimeout(() => show(box, false), 6000);
    }
}

function hideNotices() {
    clearTimeout(noticeTimer);
    show($('notice'), false);
    show($('app-notice'), false);
}

/** Words for an error that belongs to no form. */
function errorText(error, context) {
    return friendlyError(error instanceof ApiError ? error : { status: -1, message: String(error) }, context).text;
}

// ---- names and statuses ----------------------------------------------------------------------------------

function nameOf(userId) {
    if (model.me && userId === model.me.id) {
        return model.me.display_name || model.me.username;
    }
    const user = model.users.get(userId);
    if (!user) {
        return 'someone';
    }
    return user.display_name || user.username || 'someone';
}

/** The live status if the socket told us, else what the HTTP API said. */
function statusOf(userId) {
    const live = client ? client.statusOf(userId) : undefined;
    if (live) {
        return live;
    }
    const user = model.users.get(userId);
    if (!user) {
        return undefined;
    }
    return { user_id: userId, is_online: Boolean(user.is_online), last_seen: user.last_seen ?? null };
}

function memberRow(userId, tag = 'li') {
    const status = statusOf(userId);
    const online = Boolean(status && status.is_online);
    const row = el(tag, {
        className: 'member',
        data: { userId, status: online ? 'online' : 'offline' },
    }, [
        el('span', { className: 'dot', attrs: { 'aria-hidden': 'true' } }),
        el('span', { className: 'member-name', text: nameOf(userId) }),
        el('span', { className: 'status-label', text: statusLabel(status) }),
    ]);
    return row;
}

/** Updates every row of a user in place (thread list and open thread). */
function refreshUserRows(userId) {
    const status = statusOf(userId);
    const online = Boolean(status && status.is_online);
    const label = statusLabel(status);
    for (const row of document.querySelectorAll(`.member[data-user-id="${CSS.escape(userId)}"]`)) {
        row.dataset.status = online ? 'online' : 'offline';
        row.querySelector('.status-label').textContent = label;
        row.querySelector('.member-name').textContent = nameOf(userId);
    }
}

/** After one user's status changed: their rows, and the schedule (their label may now be the next to change). */
function statusChanged(userId) {
    refreshUserRows(userId);
    scheduleLabelRefresh();
}

function refreshAllUserRows() {
    const ids = new Set();
    for (const row of document.querySelectorAll('.member[data-user-id]')) {
        ids.add(row.dataset.userId);
    }
    ids.forEach(refreshUserRows);
    scheduleLabelRefresh();
}

/**
 * Refreshes the "last seen" labels when the first of them would read differently ("just now" becomes
 * "1 min ago" exactly when the minute is up), instead of on a fixed tick that shows them up to a tick late.
 */
function scheduleLabelRefresh() {
    clearTimeout(labelTimer);
    labelTimer = null;
    const now = Date.now();
    let soonest = Infinity;
    for (const row of document.querySelectorAll('.member[data-user-id]')) {
        soonest = Math.min(soonest, nextLabelChange(statusOf(row.dataset.userId), now));
    }
    if (soonest === Infinity) {
        return;
    }
    // A few ms late rather than early: a timer that fires before the boundary would change nothing.
    labelTimer = setTimeout(refreshAllUserRows, Math.min(MAX_LABEL_REFRESH_MS, soonest + 20));
}

// ---- rendering -------------------------------------------------------------------------------------------

function coMembers(thread) {
    return (thread.users || []).filter((u) => !model.me || u.id !== model.me.id);
}

function renderThreads() {
    const list = $('threads');
    const items = [];
    const threads = [...model.threads.values()].sort((a, b) => String(a.title).localeCompare(String(b.title)));
    for (const thread of threads) {
        const unread = model.unread.get(thread.id) || 0;
        const button = el('button', {
            className: 'thread-button',
            attrs: { type: 'button' },
            data: { threadId: thread.id },
        }, [
            el('span', { className: 'thread-title', text: thread.title }),
            unread > 0 ? el('span', { className: 'unread', text: unread, attrs: { 'aria-label': `${unread} unread` } }) : null,
        ]);
        const others = coMembers(thread);
        const members = el('ul', { className: 'members' },
            others.length > 0 ? others.map((u) => memberRow(u.id)) : [el('li', { className: 'member-none', text: 'only you' })]);
        const item = el('li', {
            className: 'thread' + (thread.id === model.openThreadId ? ' active' : ''),
            data: { threadId: thread.id },
        }, [button, members]);
        items.push(item);
    }
    list.replaceChildren(...items);
    show($('threads-empty'), items.length === 0);
    scheduleLabelRefresh();
}

function renderInvitations() {
    const items = [];
    for (const invitation of model.invitations.values()) {
        const title = invitation.thread_title || 'a thread';
        const from = invitation.from_user;
        const fromName = from ? (from.display_name || from.username) : null;
        const text = fromName ? `${fromName} invited you to “${title}”` : `Join “${title}”`;
        const accept = el('button', {
            className: 'accept',
            text: 'Accept',
            attrs: { type: 'button', 'aria-label': `Accept: ${text}` },
            data: { invitationId: invitation.id },
        });
        const decline = el('button', {
            className: 'decline secondary',
            text: 'Decline',
            attrs: { type: 'button', 'aria-label': `Decline: ${text}` },
            data: { invitationId: invitation.id },
        });
        items.push(el('li', {
            className: 'invitation',
            data: { invitationId: invitation.id, threadId: invitation.thread_id, fromUserId: from ? from.id : '' },
        }, [
            el('span', { className: 'invitation-text', text }),
            el('span', { className: 'invitation-actions' }, [accept, decline]),
        ]));
    }
    $('invitations').replaceChildren(...items);
    show($('invitations-section'), items.length > 0);
}

function renderOpenThread() {
    const thread = model.threads.get(model.openThreadId);
    show($('thread-placeholder'), !thread);
    show($('thread-open'), Boolean(thread));
    $('app-view').dataset.pane = thread ? 'thread' : 'list';
    if (!thread) {
        return;
    }
    $('thread-title').textContent = thread.title;
    const others = coMembers(thread);
    $('thread-members').replaceChildren(...(others.length > 0
        ? others.map((u) => memberRow(u.id))
        : [el('li', { className: 'member-none', text: 'Only you so far — invite someone below.' })]));
    renderMessages();
    scheduleLabelRefresh();
}

function messageItem(message) {
    const mine = model.me && message.sender_id === model.me.id;
    return el('li', {
        className: 'message' + (mine ? ' mine' : ''),
        data: { messageId: message.id, senderId: message.sender_id },
    }, [
        el('div', { className: 'message-meta' }, [
            el('span', { className: 'sender', text: mine ? 'you' : nameOf(message.sender_id) }),
            el('time', {
                className: 'time',
                text: clockTime(message.created_at),
                attrs: { datetime: new Date(message.created_at).toISOString() },
            }),
        ]),
        el('p', { className: 'message-text', text: message.text }),
    ]);
}

function renderMessages() {
    const list = $('messages');
    list.replaceChildren(...model.messages.map(messageItem));
    if (model.messages.length === 0) {
        list.append(el('li', { className: 'messages-empty', text: 'No messages yet.' }));
    }
    list.scrollTop = list.scrollHeight;
}

function appendMessage(message) {
    if (model.messageIds.has(message.id)) {
        return;
    }
    const list = $('messages');
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    model.messageIds.add(message.id);
    model.messages.push(message);
    const empty = list.querySelector('.messages-empty');
    if (empty) {
        empty.remove();
    }
    list.append(messageItem(message));
    if (nearBottom || (model.me && message.sender_id === model.me.id)) {
        list.scrollTop = list.scrollHeight;
    }
}

function renderMe() {
    $('me-name').textContent = model.me ? (model.me.display_name || model.me.username) : '';
    if (model.me) {
        $('me-button').dataset.userId = model.me.id;
    }
}

/** The connection indicator; `{state: 'none'}` (no session) shows nothing at all. */
function renderConnection(detail) {
    lastConnectionDetail = detail;
    const box = $('connection');
    const none = detail.state === 'none';
    box.dataset.state = none ? 'none' : detail.state === State.CONNECTED ? 'connected'
        : detail.state === State.RECONNECTING || detail.state === State.CONNECTING ? 'reconnecting' : 'offline';
    show(box, !none);
    // While not connected, the dots are only what we knew last: the stylesheet marks them, a note says so.
    const live = detail.state === State.CONNECTED;
    const firstAttempt = detail.state === State.CONNECTING && !(detail.attempt > 0);
    $('app-view').dataset.live = String(live);
    show($('stale-note'), !none && !live && !firstAttempt);
    // The backoff may be many seconds long while the server is already back: let people try at once.
    show($('retry-now'), detail.state === State.RECONNECTING || (detail.state === State.CONNECTING && !firstAttempt));
    $('connection-label').textContent = none ? '' : connectionLabel(detail);
    const announce = none ? '' : box.dataset.state === 'reconnecting' ? 'reconnecting' : connectionLabel(detail);
    if ($('connection-announce').textContent !== announce) {
        $('connection-announce').textContent = announce;
    }
    clearInterval(connectionTicker);
    connectionTicker = null;
    if (detail.state === State.RECONNECTING) {
        connectionTicker = setInterval(() => {
            $('connection-label').textContent = connectionLabel(lastConnectionDetail);
        }, 500);
    }
}

// ---- loading ---------------------------------------------------------------------------------------------

function rememberMembers(thread) {
    for (const user of thread.users || []) {
        model.users.set(user.id, { ...model.users.get(user.id), ...user });
    }
}

async function loadThreads() {
    const threads = await api.threads();
    model.threads = new Map();
    for (const thread of threads || []) {
        model.threads.set(thread.id, thread);
        rememberMembers(thread);
    }
    if (model.openThreadId && !model.threads.has(model.openThreadId)) {
        model.openThreadId = null;
    }
    renderThreads();
    renderOpenThread();
}

async function loadInvitations() {
    const invitations = await api.invitations();
    model.invitations = new Map((invitations || []).map((i) => [i.id, i]));
    renderInvitations();
}

async function loadMessages(threadId) {
    const page = await api.messages(threadId, 50);
    if (model.openThreadId !== threadId) {
        return;
    }
    const newestFirst = Array.isArray(page) ? page : (page && page.messages) || [];
    const loaded = [...newestFirst].reverse();
    // Keep anything that arrived live while the page was loading.
    const ids = new Set(loaded.map((m) => m.id));
    const extra = model.messages.filter((m) => !ids.has(m.id));
    model.messages = [...loaded, ...extra].sort((a, b) => a.created_at - b.created_at);
    model.messageIds = new Set(model.messages.map((m) => m.id));
    renderMessages();
}

/** Catches up after (re)connecting: whatever happened while we were away. */
async function resync() {
    try {
        await Promise.all([loadThreads(), loadInvitations()]);
        if (model.openThreadId) {
            await loadMessages(model.openThreadId);
        }
    } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) {
            console.warn('resync failed', e);
        }
    }
}

function openThread(threadId) {
    model.openThreadId = threadId;
    model.messages = [];
    model.messageIds = new Set();
    model.unread.delete(threadId);
    renderThreads();
    renderOpenThread();
    $('invite-result').textContent = '';
    loadMessages(threadId).catch((e) => notice('Could not load messages: ' + errorText(e)));
}

// ---- live events -----------------------------------------------------------------------------------------

function startClient() {
    // Several addresses (cluster nodes) from <meta name="presence-servers"> or ?servers=; see serverList.
    const servers = serverList();
    if (servers.ignored.length > 0) {
        console.warn('presence: ignoring server addresses not on this page\'s host:', servers.ignored.join(', '));
    }
    client = new PresenceClient({
        urls: servers.urls,
        token: () => model.token,
        device: 'web',
    });
    client.addEventListener('state', (e) => {
        console.debug('connection', JSON.stringify(e.detail));
        renderConnection(e.detail);
        if (e.detail.state === State.UNAUTHORIZED) {
            endSession('Your session has ended. Please log in again.');
        }
    });
    client.addEventListener('snapshot', () => refreshAllUserRows());
    client.addEventListener('welcome', () => resync());
    client.addEventListener('status', (e) => statusChanged(e.detail.user_id));
    client.addEventListener('message_created', (e) => {
        const { thread_id: threadId, message } = e.detail;
        if (!message) {
            return;
        }
        if (!model.threads.has(threadId)) {
            resync();
            return;
        }
        if (threadId === model.openThreadId) {
            appendMessage(message);
        } else {
            model.unread.set(threadId, (model.unread.get(threadId) || 0) + 1);
            renderThreads();
        }
    });
    client.addEventListener('user_profile_updated', (e) => {
        const user = e.detail.user;
        if (!user) {
            return;
        }
        if (model.me && user.id === model.me.id) {
            model.me = { ...model.me, ...user };
            store.updateUser(model.me);
            renderMe();
        } else {
            model.users.set(user.id, { ...model.users.get(user.id), ...user });
            refreshUserRows(user.id);
            for (const node of document.querySelectorAll(`.message[data-sender-id="${CSS.escape(user.id)}"] .sender`)) {
                node.textContent = nameOf(user.id);
            }
        }
    });
    client.addEventListener('invitation_created', (e) => {
        const invitation = e.detail.invitation;
        if (invitation && (!model.me || invitation.to_user_id === model.me.id)) {
            model.invitations.set(invitation.id, invitation);
            renderInvitations();
        }
    });
    client.addEventListener('invitation_accepted', (e) => {
        const { thread_id: threadId, user } = e.detail;
        const thread = model.threads.get(threadId);
        if (!thread || !user) {
            resync();
            return;
        }
        if (!thread.users.some((u) => u.id === user.id)) {
            thread.users = [...thread.users, user];
        }
        model.users.set(user.id, { ...model.users.get(user.id), ...user });
        renderThreads();
        if (threadId === model.openThreadId) {
            renderOpenThread();
            $('invite-result').textContent = `${nameOf(user.id)} joined.`;
        }
    });
    client.addEventListener('thread_member_left', (e) => memberLeft(e.detail.thread_id, e.detail.user_id));
    client.addEventListener('invitation_declined', (e) => {
        const thread = model.threads.get(e.detail.thread_id);
        if (thread && e.detail.thread_id === model.openThreadId) {
            $('invite-result').textContent = 'An invitation to this thread was declined.';
        }
    });
    client.addEventListener('error', (e) => console.warn('server says', e.detail.code, e.detail.message));
    client.connect();
}

/** Someone left a thread (contract v2): they go from its views; if it was me (another device), the thread goes. */
function memberLeft(threadId, userId) {
    const thread = model.threads.get(threadId);
    if (!thread || !userId) {
        return;
    }
    if (model.me && userId === model.me.id) {
        model.threads.delete(threadId);
        model.unread.delete(threadId);
        if (model.openThreadId === threadId) {
            model.openThreadId = null;
        }
        renderThreads();
        renderOpenThread();
        return;
    }
    thread.users = (thread.users || []).filter((u) => u.id !== userId);
    renderThreads();
    if (threadId === model.openThreadId) {
        renderOpenThread();
        $('invite-result').textContent = `${nameOf(userId)} left.`;
    }
}

// ---- session ---------------------------------------------------------------------------------------------

/**
 * Signs in with a token: `remembered` keeps it across browser restarts (see session-store.js);
 * `announce` tells other open tabs, which sign in too.
 */
async function beginSession(token, user, { remembered = false, announce = true } = {}) {
    model.token = token;
    model.me = user;
    store.save(token, user, remembered, { announce });
    clearFormErrors();
    hideNotices();
    show($('auth-view'), false);
    show($('app-view'), true);
    show($('account'), true);
    renderMe();
    startClient();
    try {
        model.me = await api.me();
        store.updateUser(model.me);
        renderMe();
    } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
            return;
        }
    }
    await resync();
}

/** Back to the login form; `announce`: other tabs with the same token are logged out too. */
function endSession(message, { announce = false } = {}) {
    if (client) {
        client.close();
        client = null;
    }
    clearTimeout(labelTimer);
    labelTimer = null;
    store.clear({ announce });
    Object.assign(model, {
        token: null, me: null, threads: new Map(), users: new Map(), invitations: new Map(),
        openThreadId: null, messages: [], messageIds: new Set(), unread: new Map(),
    });
    $('threads').replaceChildren();
    $('invitations').replaceChildren();
    $('messages').replaceChildren();
    show($('app-view'), false);
    show($('account'), false);
    show($('profile-form'), false);
    show($('auth-view'), true);
    renderConnection({ state: 'none' });
    hideNotices();
    if (message) {
        notice(message, { sticky: true });
    }
}

api.onUnauthorized = () => {
    if (model.token) {
        endSession('Your session has ended. Please log in again.');
    }
};

// ---- form errors -----------------------------------------------------------------------------------------

/** The page's forms: which input holds which field, and where an error about the whole form goes. */
const FORMS = {
    login: { fields: { username: 'login-username', password: 'login-password' }, formError: 'login-error' },
    signup: {
        fields: { username: 'signup-username', display_name: 'signup-display-name', password: 'signup-password' },
        formError: 'signup-error',
    },
    profile: { fields: { display_name: 'display-name-input' } },
    thread: { fields: { title: 'new-thread-title' } },
    message: { fields: { text: 'message-input' } },
    invite: { fields: { username: 'invite-username' } },
};

/** Adds or removes one id in an element's aria-describedby, keeping the others (a field's hint). */
function describedBy(input, id, on) {
    const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && x !== id);
    if (on) {
        ids.unshift(id);
    }
    if (ids.length > 0) {
        input.setAttribute('aria-describedby', ids.join(' '));
    } else {
        input.removeAttribute('aria-describedby');
    }
}

/** Clears the errors of one form (or of every form): texts hidden, fields no longer invalid. */
function clearFormErrors(only) {
    for (const [key, form] of Object.entries(FORMS)) {
        if (only && key !== only) {
            continue;
        }
        const inputIds = Object.values(form.fields);
        for (const inputId of inputIds) {
            const input = $(inputId);
            input.removeAttribute('aria-invalid');
            for (const errorOf of inputIds) {
                describedBy(input, errorOf + '-error', false);
            }
            const box = $(inputId + '-error');
            box.textContent = '';
            show(box, false);
        }
        if (form.formError) {
            $(form.formError).textContent = '';
            show($(form.formError), false);
        }
    }
}

/**
 * Shows a problem `{field, also, text}` on a form: under its field, which is marked invalid, described by
 * the words and focused; or, when it is about the whole form, in the form's alert. A form of one field
 * shows such a problem under that field without marking the value invalid.
 */
function showFormError(key, problem) {
    const form = FORMS[key];
    const inputId = problem.field && form.fields[problem.field];
    const target = inputId || (form.formError ? null : Object.values(form.fields)[0]);
    if (!target) {
        $(form.formError).textContent = problem.text;
        show($(form.formError), true);
        return;
    }
    const box = $(target + '-error');
    box.textContent = problem.text;
    show(box, true);
    const input = $(target);
    describedBy(input, box.id, true);
    if (inputId) {
        input.setAttribute('aria-invalid', 'true');
        for (const other of problem.also || []) {
            const otherInput = form.fields[other] && $(form.fields[other]);
            if (otherInput) {
                otherInput.setAttribute('aria-invalid', 'true');
                describedBy(otherInput, box.id, true);
            }
        }
    }
    input.focus();
}

/** Checks a form's values the way the server will; shows the first problem and returns false if any. */
function valid(key, values) {
    const problem = checkBeforeSending(key, values);
    if (problem) {
        showFormError(key, problem);
        return false;
    }
    return true;
}

// ---- forms and buttons -----------------------------------------------------------------------------------

/** Every form clears all old errors when it is used; editing a field clears that form's errors. */
function onSubmit(formId, handler) {
    const form = $(formId);
    form.addEventListener('submit', (event) => {
        event.preventDefault();
        clearFormErrors();
        hideNotices();
        handler(event);
    });
}

function wire() {
    for (const [key, form] of Object.entries(FORMS)) {
        for (const inputId of Object.values(form.fields)) {
            $(inputId).addEventListener('input', () => {
                if ($(inputId).hasAttribute('aria-invalid') || !$(inputId + '-error').hidden) {
                    clearFormErrors(key);
                }
            });
        }
    }

    onSubmit('login-form', async () => {
        const values = { username: $('login-username').value.trim(), password: $('login-password').value };
        if (!valid('login', values)) {
            return;
        }
        try {
            const { token, user } = await api.logIn(values.username, values.password);
            $('login-password').value = '';
            await beginSession(token, user, { remembered: $('login-remember').checked });
        } catch (e) {
            showFormError('login', friendlyError(e, { form: 'login' }));
        }
    });

    onSubmit('signup-form', async () => {
        const values = {
            username: $('signup-username').value.trim(),
            display_name: $('signup-display-name').value.trim(),
            password: $('signup-password').value,
        };
        if (!valid('signup', values)) {
            return;
        }
        try {
            await api.signUp(values.username, values.password, values.display_name || undefined);
            const { token, user } = await api.logIn(values.username, values.password);
            $('signup-password').value = '';
            await beginSession(token, user, { remembered: $('signup-remember').checked });
        } catch (e) {
            showFormError('signup', friendlyError(e, { form: 'signup' }));
        }
    });

    $('logout').addEventListener('click', async () => {
        try {
            await api.logOut();
        } catch {
            // the token is forgotten here either way
        }
        endSession(null, { announce: true });
    });

    $('logout-everywhere').addEventListener('click', async () => {
        try {
            await api.logOutEverywhere();
            endSession('You are logged out on all your devices.', { announce: true });
        } catch (e) {
            if (model.token) {
                showFormError('profile', friendlyError(e, { form: 'profile' }));
            }
        }
    });

    $('retry-now').addEventListener('click', () => {
        if (client) {
            client.reconnectNow();
        }
    });

    $('me-button').addEventListener('click', () => {
        const form = $('profile-form');
        const opening = form.hidden;
        show(form, opening);
        $('me-button').setAttribute('aria-expanded', String(opening));
        clearFormErrors('profile');
        if (opening) {
            $('display-name-input').value = model.me ? (model.me.display_name || '') : '';
            $('display-name-input').focus();
        }
    });
    $('profile-cancel').addEventListener('click', () => {
        clearFormErrors('profile');
        show($('profile-form'), false);
        $('me-button').setAttribute('aria-expanded', 'false');
        $('me-button').focus();
    });
    onSubmit('profile-form', async () => {
        const displayName = $('display-name-input').value.trim();
        if (!valid('profile', { display_name: displayName })) {
            return;
        }
        try {
            model.me = await api.updateMe(displayName);
            store.updateUser(model.me);
            renderMe();
            show($('profile-form'), false);
            $('me-button').setAttribute('aria-expanded', 'false');
            $('me-button').focus();
        } catch (e) {
            showFormError('profile', friendlyError(e, { form: 'profile' }));
        }
    });

    $('threads').addEventListener('click', (event) => {
        const button = event.target.closest('.thread-button');
        if (button) {
            openThread(button.dataset.threadId);
        }
    });

    $('invitations').addEventListener('click', async (event) => {
        const button = event.target.closest('button.accept, button.decline');
        if (!button) {
            return;
        }
        const id = button.dataset.invitationId;
        const accepting = button.classList.contains('accept');
        for (const b of button.parentElement.querySelectorAll('button')) {
            b.disabled = true;
        }
        try {
            if (!accepting) {
                await api.declineInvitation(id);
                model.invitations.delete(id);
                renderInvitations();
                return;
            }
            const thread = await api.acceptInvitation(id);
            model.invitations.delete(id);
            renderInvitations();
            if (thread && thread.id) {
                model.threads.set(thread.id, thread);
                rememberMembers(thread);
                renderThreads();
                openThread(thread.id);
            } else {
                await loadThreads();
            }
        } catch (e) {
            for (const b of button.parentElement.querySelectorAll('button')) {
                b.disabled = false;
            }
            if (e instanceof ApiError && e.status === 404) {
                // Gone meanwhile (withdrawn, or answered on another device): show what is true now.
                model.invitations.delete(id);
                renderInvitations();
                loadInvitations().catch(() => {});
            }
            notice((accepting ? 'Could not accept: ' : 'Could not decline: ') + errorText(e));
        }
    });

    onSubmit('new-thread-form', async () => {
        const title = $('new-thread-title').value.trim();
        if (!valid('thread', { title })) {
            return;
        }
        try {
            const thread = await api.createThread(title);
            $('new-thread-title').value = '';
            model.threads.set(thread.id, thread);
            rememberMembers(thread);
            renderThreads();
            openThread(thread.id);
        } catch (e) {
            showFormError('thread', friendlyError(e, { form: 'thread' }));
        }
    });

    onSubmit('send-form', async () => {
        const input = $('message-input');
        const text = input.value;
        const threadId = model.openThreadId;
        // Back to the message box at once, so the next message can be typed while this one is sent.
        input.focus();
        if (!text.trim() || !threadId || !valid('message', { text })) {
            return;
        }
        input.value = '';
        try {
            const message = await api.sendMessage(threadId, text);
            if (message && message.id && model.openThreadId === threadId) {
                appendMessage(message);
            }
        } catch (e) {
            if (!input.value) {
                input.value = text;
            }
            const problem = friendlyError(e, { form: 'message' });
            showFormError('message', { ...problem, text: 'Not sent. ' + problem.text });
        }
    });

    onSubmit('invite-form', async () => {
        const username = $('invite-username').value.trim();
        const threadId = model.openThreadId;
        $('invite-result').textContent = '';
        if (!threadId || !valid('invite', { username })) {
            return;
        }
        try {
            await api.invite(threadId, username);
            $('invite-username').value = '';
            $('invite-result').textContent = `Invitation sent to ${username}.`;
        } catch (e) {
            showFormError('invite', friendlyError(e, { form: 'invite', username }));
        }
    });

    $('back').addEventListener('click', () => {
        model.openThreadId = null;
        renderThreads();
        renderOpenThread();
    });

    // Timers of a hidden tab are throttled: bring the labels up to date as soon as it is seen again.
    document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible' && model.token) {
            refreshAllUserRows();
        }
    });

    // Other tabs of this browser: one logs in, a signed-out one follows; one logs out, the others follow.
    store.addEventListener('session', (e) => {
        if (!model.token) {
            beginSession(e.detail.token, e.detail.user, { remembered: e.detail.remembered, announce: false });
        }
    });
    store.addEventListener('logout', () => {
        if (model.token) {
            endSession(null);
        }
    });

    // Leaving the page: say goodbye with a close frame so co-members see us go at once, not after a
    // timeout. Coming back from the back/forward cache: connect again.
    window.addEventListener('pagehide', () => {
        if (client) {
            client.close(1000, 'page closed');
        }
    });
    window.addEventListener('pageshow', (event) => {
        if (event.persisted && model.token && client && client.state === State.CLOSED) {
            client = null;
            startClient();
        }
    });
}

async function boot() {
    wire();
    renderConnection({ state: 'none' });
    const kept = store.load();
    if (kept) {
        beginSession(kept.token, kept.user, { remembered: kept.remembered, announce: false });
        return;
    }
    // Nothing kept in this tab: another open tab may hold a login that is not remembered (see
    // session-store.js). Until it answers (or not), neither view is shown.
    const shared = await store.askOtherTabs();
    if (model.token) {
        return;
    }
    if (shared) {
        beginSession(shared.token, shared.user, { remembered: shared.remembered, announce: false });
    } else {
        endSession(null);
    }
}

boot();
