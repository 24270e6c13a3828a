// node presence-browser-tests/src/test/js/presence-client-checks.test.mjs  (Node 20+, no npm needed)
import { test } from 'node:test';
import * as client from '../../../../presence-server/src/main/resources/web/js/presence-client.js';
import * as format from '../../../../presence-server/src/main/resources/web/js/format.js';
import * as errors from '../../../../presence-server/src/main/resources/web/js/errors.js';
import * as sessionStore from '../../../../presence-server/src/main/resources/web/js/session-store.js';
import { runChecks, runFormatChecks, runErrorChecks, runSessionStoreChecks } from './presence-client-checks.mjs';

const report = (passed) => console.log(passed.map((n) => '  ok ' + n).join('\n'));

test('presence-client.js logic', async () => report(await runChecks(client)));
test('format.js labels', async () => report(await runFormatChecks(format)));
test('errors.js words', async () => report(await runErrorChecks(errors)));
test('session-store.js keeping the login', async () => report(await runSessionStoreChecks(sessionStore)));
