// node presence-browser-tests/src/test/js/presence-client-checks.test.mjs  (Node 20+, no npm needed)
import { test } from 'node:test';
import * as client from '../../../../presence-server/src/main/resources/web/js/presence-client.js';
import * as format from '../../../../presence-server/src/main/resources/web/js/format.js';
import { runChecks, runFormatChecks } from './presence-client-checks.mjs';

test('presence-client.js logic', async () => {
    const passed = await runChecks(client);
    console.log(passed.map((n) => '  ok ' + n).join('\n'));
});

test('format.js labels', async () => {
    const passed = await runFormatChecks(format);
    console.log(passed.map((n) => '  ok ' + n).join('\n'));
});
