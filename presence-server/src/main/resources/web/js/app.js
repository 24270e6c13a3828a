/**
 * app.js — the page: log in, threads with who is online, messages, invitations, profile.
 *
 * Rules kept throughout: text from users goes into the page with textContent only (never innerHTML);
 * no inline styles or handlers (the server's CSP forbids them); the token lives in sessionStorage and
 * travels in the Authorization header (HTTP) and in the hello frame (WebSocket), never in a URL.
 */
import { Api, ApiError } from './api.js';
import { PresenceClient, State, sameOriginWsUrl } from './presence-client.js';
import { statusLabel, connectionLabel, clockTime } from './format.js';

const TOKEN_KEY = 'presence.token';
const USER_KEY = 'presence.user';
const LABEL_REFRESH_MS = 30_000;

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
let client = null;
let connectionTicker = null;
let lastConnectionDetail = { state: 'offline' };

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

function notice(text, { sticky = false } = {}) {
    const box = $('notice');
    box.textContent = text;
    show(box, true);
    clearTimeout(noticeTimer);
    if (!sticky) {
        noticeTimer = setTimeout(() => show(box, false), 6000);
    }
}

function errorText(error) {
    if (error instanceof ApiError) {
        return error.message;
    }
    return String(error && error.message ? error.message : error);
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

function refreshAllUserRows() {
    const ids = new Set();
    for (const row of document.querySelectorAll('.member[data-user-id]')) {
        ids.add(row.dataset.userId);
    }
    ids.forEach(refreshUserRows);
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
}

function renderInvitations() {
    const items = [];
    for (const invitation of model.invitations.values()) {
        const accept = el('button', {
            className: 'accept',
            text: 'Accept',
            attrs: { type: 'button' },
            data: { invitationId: invitation.id },
        });
        items.push(el('li', { className: 'invitation', data: { invitationId: invitation.id, threadId: invitation.thread_id } }, [
            el('span', { className: 'invitation-text', text: `Join “${invitation.thread_title || 'a thread'}”` }),
            accept,
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

function renderConnection(detail) {
    lastConnectionDetail = detail;
    const box = $('connection');
    box.dataset.state = detail.state === State.CONNECTED ? 'connected'
        : detail.state === State.RECONNECTING || detail.state === State.CONNECTING ? 'reconnecting' : 'offline';
    // While not connected, the dots are only what we knew last: the stylesheet dims them.
    $('app-view').dataset.live = String(detail.state === State.CONNECTED);
    $('connection-label').textContent = connectionLabel(detail);
    const announce = box.dataset.state === 'reconnecting' ? 'reconnecting' : connectionLabel(detail);
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
    client = new PresenceClient({
        url: sameOriginWsUrl(),
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
    client.addEventListener('status', (e) => refreshUserRows(e.detail.user_id));
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
            sessionStorage.setItem(USER_KEY, JSON.stringify(model.me));
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
    client.addEventListener('error', (e) => console.warn('server says', e.detail.code, e.detail.message));
    client.connect();
}

// ---- session ---------------------------------------------------------------------------------------------

async function beginSession(token, user) {
    model.token = token;
    model.me = user;
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
    show($('auth-view'), false);
    show($('app-view'), true);
    show($('account'), true);
    renderMe();
    startClient();
    try {
        model.me = await api.me();
        sessionStorage.setItem(USER_KEY, JSON.stringify(model.me));
        renderMe();
    } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
            return;
        }
    }
    await resync();
}

function endSession(message) {
    if (client) {
        client.close();
        client = null;
    }
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
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
    renderConnection({ state: 'offline' });
    if (message) {
        notice(message, { sticky: true });
    }
}

api.onUnauthorized = () => {
    if (model.token) {
        endSession('Your session has ended. Please log in again.');
    }
};

// ---- forms and buttons -----------------------------------------------------------------------------------

function formError(id, error) {
    const box = $(id);
    box.textContent = error ? errorText(error) : '';
    show(box, Boolean(error));
}

function wire() {
    $('login-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        formError('login-error', null);
        show($('notice'), false);
        const username = $('login-username').value.trim();
        const password = $('login-password').value;
        try {
            const { token, user } = await api.logIn(username, password);
            $('login-password').value = '';
            await beginSession(token, user);
        } catch (e) {
            formError('login-error', e instanceof ApiError && e.status === 401 ? 'Wrong username or password.' : e);
        }
    });

    $('signup-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        formError('signup-error', null);
        show($('notice'), false);
        const username = $('signup-username').value.trim();
        const password = $('signup-password').value;
        const displayName = $('signup-display-name').value.trim();
        try {
            await api.signUp(username, password, displayName || undefined);
            const { token, user } = await api.logIn(username, password);
            $('signup-password').value = '';
            await beginSession(token, user);
        } catch (e) {
            formError('signup-error', e instanceof ApiError && e.status === 409 ? 'That username is taken.' : e);
        }
    });

    $('logout').addEventListener('click', async () => {
        try {
            await api.logOut();
        } catch {
            // the token is forgotten here either way
        }
        endSession(null);
    });

    $('me-button').addEventListener('click', () => {
        const form = $('profile-form');
        const opening = form.hidden;
        show(form, opening);
        $('me-button').setAttribute('aria-expanded', String(opening));
        if (opening) {
            $('display-name-input').value = model.me ? (model.me.display_name || '') : '';
            $('display-name-input').focus();
        }
    });
    $('profile-cancel').addEventListener('click', () => {
        show($('profile-form'), false);
        $('me-button').setAttribute('aria-expanded', 'false');
    });
    $('profile-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
            model.me = await api.updateMe($('display-name-input').value.trim());
            sessionStorage.setItem(USER_KEY, JSON.stringify(model.me));
            renderMe();
            show($('profile-form'), false);
            $('me-button').setAttribute('aria-expanded', 'false');
        } catch (e) {
            notice('Could not save the name: ' + errorText(e));
        }
    });

    $('threads').addEventListener('click', (event) => {
        const button = event.target.closest('.thread-button');
        if (button) {
            openThread(button.dataset.threadId);
        }
    });

    $('invitations').addEventListener('click', async (event) => {
        const button = event.target.closest('button.accept');
        if (!button) {
            return;
        }
        button.disabled = true;
        const id = button.dataset.invitationId;
        try {
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
            button.disabled = false;
            notice('Could not accept: ' + errorText(e));
        }
    });

    $('new-thread-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        const title = $('new-thread-title').value.trim();
        if (!title) {
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
            notice('Could not create the thread: ' + errorText(e));
        }
    });

    $('send-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        const input = $('message-input');
        const text = input.value;
        const threadId = model.openThreadId;
        if (!text.trim() || !threadId) {
            return;
        }
        input.value = '';
        try {
            const message = await api.sendMessage(threadId, text);
            if (message && message.id && model.openThreadId === threadId) {
                appendMessage(message);
            }
        } catch (e) {
            input.value = text;
            notice('Not sent: ' + errorText(e));
        }
    });

    $('invite-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        const username = $('invite-username').value.trim();
        const threadId = model.openThreadId;
        if (!username || !threadId) {
            return;
        }
        const result = $('invite-result');
        try {
            await api.invite(threadId, username);
            $('invite-username').value = '';
            result.textContent = `Invitation sent to ${username}.`;
        } catch (e) {
            result.textContent = e instanceof ApiError && e.status === 404
                ? `There is no user “${username}”.` : `Could not invite: ${errorText(e)}`;
        }
    });

    $('back').addEventListener('click', () => {
        model.openThreadId = null;
        renderThreads();
        renderOpenThread();
    });

    setInterval(refreshAllUserRows, LABEL_REFRESH_MS);

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

function boot() {
    wire();
    const token = sessionStorage.getItem(TOKEN_KEY);
    let user = null;
    try {
        user = JSON.parse(sessionStorage.getItem(USER_KEY) || 'null');
    } catch {
        user = null;
    }
    if (token && user) {
        beginSession(token, user);
    } else {
        endSession(null);
    }
}

boot();
