// The frame of most browser test files: the real server (the example
// organisation) and chromium, started before the file's tests and stopped
// after them; the server must then exit cleanly.
//
//   const suite = serverAndBrowser();
//   const { open, getJson } = suite;     // suite.server.url once started
import assert from 'node:assert/strict';
import { after, before } from 'node:test';

import { launchBrowser, openPage } from './browser.mjs';
import { startServer } from './server.mjs';

export function serverAndBrowser(serverOptions) {
  const suite = {
    server: null,
    browser: null,
    /** A page in a fresh context; see openPage in browser.mjs. */
    open: (path, contextOptions) => openPage(suite.browser, suite.server.url, path, contextOptions),
    /** GET a JSON document from the server. */
    getJson: async (path) => (await fetch(suite.server.url + path)).json(),
  };
  before(async () => {
    suite.server = await startServer(serverOptions);
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    if (suite.server) {
      const { code, signal } = await suite.server.stop();
      assert.equal(code, 0, `server exit: code ${code}, signal ${signal}\n${suite.server.output()}`);
    }
  });
  return suite;
}
