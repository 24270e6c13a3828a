// node presence-browser-tests/src/test/js/presence-client-checks.test.mjs  (Node 20+, no npm needed)
import { test } from 'node:test';
import * as client from '../../../../presence-server/src/main/resources/web/js/presence-client.js';
import { runChecks } from './presence-client-checks.mjs';

test('presence-client.js logic', async () => {
    const passed = await runChecks(client);
    console.log(passed.map((n) => '  ok ' + n).join('\n'));
});
