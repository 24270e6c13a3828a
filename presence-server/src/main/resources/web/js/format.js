/**
 * format.js — words for times and statuses. Pure functions, easy to test.
 */

/**
 * The text label of a status, so that status never relies on colour alone:
 * "online", "last seen just now", "last seen 3 min ago", "last seen 2 h ago", "last seen 3 days ago",
 * "offline" (never seen).
 * @param {{is_online: boolean, last_seen: (number|null)}|undefined} status
 * @param {number} nowMs
 */
export function statusLabel(status, nowMs = Date.now()) {
    if (!status) {
        return 'offline';
    }
    if (status.is_online) {
        return 'online';
    }
    if (!status.last_seen) {
        return 'offline';
    }
    return 'last seen ' + ago(status.last_seen, nowMs);
}

/** "just now", "3 min ago", "2 h ago", "yesterday", "5 days ago", or a date. */
export function ago(thenMs, nowMs = Date.now()) {
    const seconds = Math.max(0, Math.floor((nowMs - thenMs) / 1000));
    if (seconds < 60) {
        return 'just now';
    }
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) {
        return `${minutes} min ago`;
    }
    const hours = Math.floor(minutes / 60);
    if (hours < 24) {
        return `${hours} h ago`;
    }
    const days = Math.floor(hours / 24);
    if (days === 1) {
        return 'yesterday';
    }
    if (days < 7) {
        return `${days} days ago`;
    }
    return 'on ' + new Date(thenMs).toLocaleDateString();
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * In how many ms the label of this status ({@link statusLabel}) would next read differently, or Infinity
 * when it never will by itself (online, never seen, or old enough to show a date). The page schedules its
 * next refresh for the earliest of these, so "last seen 1 min ago" appears when the minute is up, not up
 * to a fixed tick later.
 */
export function nextLabelChange(status, nowMs = Date.now()) {
    if (!status || status.is_online || !status.last_seen) {
        return Infinity;
    }
    // ago() floors to whole seconds of (now − then), so each label holds for [boundary − step, boundary).
    const elapsed = nowMs - status.last_seen;
    let step;
    if (elapsed < HOUR) {
        step = MINUTE;          // "just now", then "1 min ago", "2 min ago" …
    } else if (elapsed < DAY) {
        step = HOUR;            // "1 h ago" … "23 h ago"
    } else if (elapsed < 7 * DAY) {
        step = DAY;             // "yesterday", "2 days ago" … "6 days ago"
    } else {
        return Infinity;        // a date
    }
    const boundary = (Math.floor(Math.max(0, elapsed) / step) + 1) * step;
    return boundary - elapsed;
}

/** Clock time of a message, e.g. "14:05". */
export function clockTime(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The text of the connection indicator for a client state event. */
export function connectionLabel(detail, nowMs = Date.now()) {
    switch (detail.state) {
        case 'connected':
            return 'connected';
        case 'connecting':
            return detail.attempt > 0 ? 'reconnecting…' : 'connecting…';
        case 'reconnecting': {
            const seconds = Math.max(1, Math.ceil((detail.retryAt - nowMs) / 1000));
            return `reconnecting in ${seconds} s…`;
        }
        case 'unauthorized':
            return 'offline — please log in again';
        default:
            return 'offline';
    }
}
