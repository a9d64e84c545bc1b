// Start the real stagehand binary on a free port with a fresh data
// directory, for tests that talk to it over HTTP.
//
//   const srv = await startServer();   // srv.url, srv.port, srv.stderr()
//   ...
//   await srv.stop();
//
// STAGEHAND_BIN picks the binary; the default is build-test/stagehand of
// this repository (an ASan build: `ninja -C build-test`).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export function binaryPath() {
  return path.resolve(repoRoot, process.env.STAGEHAND_BIN ?? 'build-test/stagehand');
}

export async function startServer({ args = [], env = {} } = {}) {
  const bin = binaryPath();
  if (!existsSync(bin))
    throw new Error(`${bin} does not exist; build it with: ninja -C build-test`);
  const dir = await mkdtemp(path.join(tmpdir(), 'stagehand-e2e-'));
  const child = spawn(bin, ['serve', '--port', '0', '--data-dir', dir, ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (s) => { log += s; });
  child.stderr.setEncoding('utf8');

  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  let port;
  try {
    port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS);
      child.stderr.on('data', (s) => {
        log += s;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`server exited before listening (code ${code}, signal ${signal})`));
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    e.message += `\n--- server output ---\n${log}`;
    throw e;
  }

  let stopped = null;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dataDir: dir,
    /* Everything the server has written so far. */
    output: () => log,
    /* SIGTERM, wait for exit, remove the data directory. Resolves to
     * { code, signal } of the exit. */
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null)
          child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        const result = await exited;
        clearTimeout(timer);
        await rm(dir, { recursive: true, force: true });
        return result;
      })();
      return stopped;
    },
  };
}
