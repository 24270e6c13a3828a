/**
 * errors.js — what the page says when something goes wrong, in words for people, tied to the field it is
 * about. Pure functions (no DOM), so they are tested on their own.
 *
 * The server's error answers are `{error: {code, message}}` with a status; validation messages begin with
 * the field's name ("password must be 8 to 128 characters"), which is how an error finds its field here.
 */

/** The rules the server applies (docs/PROTOCOL.md, "Validation"), checked before anything is sent. */
export const RULES = Object.freeze({
    username: /^[A-Za-z0-9_.-]{3,32}$/,
    passwordMin: 8,
    passwordMax: 128,
    displayNameMax: 100,
    titleMax: 200,
    textMax: 4000,
});

/** Friendly text per field, used for both the local checks and the server's 400 answers. */
export const FIELD_TEXT = Object.freeze({
    username: 'Usernames are 3 to 32 characters: letters, digits, _ . or -',
    password: `Passwords are ${RULES.passwordMin} to ${RULES.passwordMax} characters.`,
    display_name: `Display names are 1 to ${RULES.displayNameMax} characters, without control characters.`,
    title: `Thread titles are 1 to ${RULES.titleMax} characters, without control characters.`,
    text: `Messages are 1 to ${RULES.textMax} characters.`,
});

/**
 * Checks a form's values before sending, the way the server will. `form` names which form:
 * `signup`, `login`, `profile`, `thread`, `message`, `invite`.
 * @returns {{field: string, text: string}|null} the first problem, or null when the values are fine
 */
export function checkBeforeSending(form, values) {
    const v = values || {};
    const length = (s) => (s == null ? 0 : String(s).length);
    switch (form) {
        case 'login':
            if (!v.username) {
                return { field: 'username', text: 'Enter your username.' };
            }
            if (!v.password) {
                return { field: 'password', text: 'Enter your password.' };
            }
            return null;
        case 'signup':
            if (!RULES.username.test(v.username || '')) {
                return { field: 'username', text: usernameProblem(v.username || '') };
            }
            if (length(v.display_name) > RULES.displayNameMax) {
                return { field: 'display_name', text: FIELD_TEXT.display_name };
            }
            if (length(v.password) < RULES.passwordMin || length(v.password) > RULES.passwordMax) {
                return {
                    field: 'password',
                    text: length(v.password) === 0 ? 'Choose a password: ' + FIELD_TEXT.password
                        : `${FIELD_TEXT.password} This one has ${length(v.password)}.`,
                };
            }
            return null;
        case 'profile':
            if (!v.display_name || length(v.display_name) > RULES.displayNameMax) {
                return { field: 'display_name', text: v.display_name ? FIELD_TEXT.display_name : 'Enter a display name.' };
            }
            return null;
        case 'thread':
            if (!v.title || length(v.title) > RULES.titleMax) {
                return { field: 'title', text: v.title ? FIELD_TEXT.title : 'Give the thread a title.' };
            }
            return null;
        case 'message':
            if (length(v.text) > RULES.textMax) {
                return { field: 'text', text: FIELD_TEXT.text };
            }
            return null;
        case 'invite':
            if (!v.username) {
                return { field: 'username', text: 'Enter the username of the person to invite.' };
            }
            return null;
        default:
            return null;
    }
}

/** What exactly is wrong with a username, so the words add to the rule shown under the field. */
function usernameProblem(username) {
    if (username.length === 0) {
        return 'Choose a username.';
    }
    if (/[^A-Za-z0-9_.-]/.test(username)) {
        return /\s/.test(username) ? 'A username cannot contain spaces: use letters, digits, _ . or -'
            : 'A username can only contain letters, digits, _ . or -';
    }
    return username.length < 3 ? 'Too short: a username has at least 3 characters.' : 'Too long: a username has at most 32 characters.';
}

/**
 * An error (an ApiError from api.js, or anything thrown) as words for the person using the page.
 * @param {object} error `{status, code, message, retryAfterSeconds?}`; status 0 is "no network"
 * @param {object} [context] `{form, username}`: which form it came from, and the username it was about
 * @returns {{field: (string|null), text: string, also?: string[]}} `field` names the form field it is
 *          about (null: the whole form); `also` names other fields that are marked invalid with it
 */
export function friendlyError(error, context = {}) {
    const status = error && typeof error.status === 'number' ? error.status : -1;
    const code = error && error.code ? String(error.code) : '';
    const message = error && error.message ? String(error.message) : '';
    const form = context.form || '';
    if (status === 0) {
        return { field: null, text: 'The server cannot be reached. Check your connection and try again.' };
    }
    if (status === 429 || code === 'rate_limited') {
        return { field: null, text: tooManyAttempts(error && error.retryAfterSeconds) };
    }
    if (status === 401 && form === 'login') {
        // Either may be wrong: both fields are marked, the words go under the password.
        return { field: 'password', also: ['username'], text: 'Wrong username or password.' };
    }
    if (status === 401) {
        return { field: null, text: 'Your session has ended. Please log in again.' };
    }
    if (status === 503 || code === 'busy' || code === 'unavailable') {
        return { field: null, text: 'The server is busy. Try again in a moment.' };
    }
    if (code === 'username_taken') {
        return { field: 'username', text: 'That username is taken. Try another one.' };
    }
    if (form === 'invite') {
        const who = context.username ? `“${context.username}”` : 'That user';
        if (status === 404) {
            return { field: 'username', text: `There is no user ${who}.` };
        }
        if (code === 'already_member') {
            return { field: 'username', text: `${who} is already in this thread.` };
        }
        if (code === 'already_invited') {
            return { field: 'username', text: `${who} is already invited.` };
        }
    }
    if (status === 413 || code === 'too_large') {
        return { field: null, text: 'That is too long to send.' };
    }
    if (status === 400) {
        const field = Object.keys(FIELD_TEXT).find((name) => message.startsWith(name + ' ') || message.startsWith(name + ':'));
        if (field) {
            return { field, text: FIELD_TEXT[field] };
        }
        return { field: null, text: 'That was not accepted: ' + (message || 'invalid request') + '.' };
    }
    if (status === 404) {
        return { field: null, text: 'That is no longer there.' };
    }
    if (status >= 400) {
        return { field: null, text: `Something went wrong (${code || status}). Try again.` };
    }
    return { field: null, text: 'Something went wrong. Try again.' };
}

/** "Too many attempts. Try again in 30 s." (or "in a moment" when the server did not say). */
export function tooManyAttempts(retryAfterSeconds) {
    const seconds = Number(retryAfterSeconds);
    if (Number.isFinite(seconds) && seconds > 0) {
        return `Too many attempts. Try again in ${Math.ceil(seconds)} s.`;
    }
    return 'Too many attempts. Try again in a moment.';
}

/**
 * The value of a Retry-After header in seconds: either a number of seconds or an HTTP date
 * (RFC 9110 §10.2.3). Null when absent or unreadable.
 */
export function parseRetryAfter(header, nowMs = Date.now()) {
    if (header == null || header === '') {
        return null;
    }
    const text = String(header).trim();
    if (/^\d+$/.test(text)) {
        return Number(text);
    }
    const at = Date.parse(text);
    if (Number.isNaN(at)) {
        return null;
    }
    return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
