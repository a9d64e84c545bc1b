// The frame of a browser test file: the real server and chromium, started
// before the file's tests and stopped after them; the server must then exit
// cleanly.
//
//   const suite = serverAndBrowser();            // the example organisation
//   const suite = serverAndBrowser({ files: { '/a/catalog-info.yaml': '...' },
//                                    locations: [] });
//   const { open, getJson, api } = suite;        // suite.server.url once started
//
// With `files`, a small HTTP server of the test serves them on 127.0.0.1
// (suite.files.url(path)), and stagehand runs with a configuration that
// allows reading from it and has `locations` as its catalog locations
// (default: the example organisation). Each test's pages are saved as
// screenshots (see browser.mjs).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';

import { startFileServer } from '../../api/lib/catalog.mjs';
import { launchBrowser, openPage, screenshotHooks } from './browser.mjs';
import { repoRoot, startServer } from './server.mjs';

const EXAMPLES = [{ type: 'file', target: path.join(repoRoot, 'examples/all.yaml') }];

async function configFor(dir, files, locations) {
  const config = path.join(dir, 'config.yaml');
  await writeFile(config, JSON.stringify({
    catalog: { locations, processingInterval: 3600 },
    backend: { reading: { allow: [{ host: files.host }] } },
  }, null, 2));
  return config;
}

export function serverAndBrowser({ files, locations = EXAMPLES } = {}) {
  let configDir = null;
  const suite = {
    server: null,
    browser: null,
    files: null,
    /** A page in a fresh context; see openPage in browser.mjs. */
    open: (p, contextOptions) => openPage(suite.browser, suite.server.url, p, contextOptions),
    /** fetch() on the server. */
    api: (p, init) => fetch(suite.server.url + p, init),
    /** GET a JSON document from the server. */
    getJson: async (p) => (await fetch(suite.server.url + p)).json(),
  };
  before(async () => {
    let args = [];
    if (files) {
      suite.files = await startFileServer(files);
      configDir = await mkdtemp(path.join(tmpdir(), 'stagehand-e2e-'));
      args = ['--config', await configFor(configDir, suite.files, locations)];
    }
    suite.server = await startServer({ args });
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.files?.close();
    if (suite.server) {
      const { code, signal } = await suite.server.stop();
      assert.equal(code, 0, `server exit: code ${code}, signal ${signal}\n${suite.server.output()}`);
    }
    if (configDir)
      await rm(configDir, { recursive: true, force: true });
  });
  screenshotHooks();
  return suite;
}
