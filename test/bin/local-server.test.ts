import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDataDir, localServerUrl } from '../../bin/commands/local-server.js';
import { writeServerFile } from '../../lib/local/server-file.js';

describe('where the commands find local mode', () => {
  it('takes the data folder from --data-dir, else SECREL_DATA_DIR, else .secrel under the working folder', () => {
    expect(localDataDir('given', { SECREL_DATA_DIR: 'env' }, '/work')).toBe(resolve('/work', 'given'));
    expect(localDataDir(undefined, { SECREL_DATA_DIR: 'env' }, '/work')).toBe(resolve('/work', 'env'));
    expect(localDataDir(undefined, {}, '/work')).toBe(resolve('/work', '.secrel'));
  });

  it('finds the server on PORT first, then at the address serve recorded, then on :3000', () => {
    const recorded = mkdtempSync(join(tmpdir(), 'secrel-local-server-'));
    writeServerFile(recorded, 'http://127.0.0.1:4321/');
    const empty = mkdtempSync(join(tmpdir(), 'secrel-local-server-'));

    try {
      expect(localServerUrl({ PORT: '5000' }, recorded)).toBe('http://127.0.0.1:5000');
      expect(localServerUrl({ PORT: '' }, recorded)).toBe('http://127.0.0.1:4321');
      expect(localServerUrl({}, empty)).toBe('http://127.0.0.1:3000');
    } finally {
      rmSync(recorded, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
