import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../lib/core/commands.js';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/default-playbook.js';
import { command, newRelease, PEOPLE, replies } from '../release-helpers.js';

/** `/secrel h1`, `/secrel cve` and `/secrel help`. */

describe('/secrel h1 and /secrel cve', () => {
  it('attach a HackerOne report and the CVE id for the security lead', () => {
    const withReport = command(newRelease(), '/secrel h1 2900001');
    expect(withReport.state.hackerOneReports).toEqual(['2900001']);
    expect(replies(withReport)[0]).toContain('HackerOne report 2900001 is attached');
    const withCve = command(withReport.state, '/secrel cve cve-2026-12345');
    expect(withCve.state.cveId).toBe('CVE-2026-12345');
    const again = command(withCve.state, '/secrel h1 2900001');
    expect(again.state.hackerOneReports).toEqual(['2900001']);
  });

  it('are refused for anyone but the security lead, and change nothing', () => {
    for (const who of [PEOPLE.manager, PEOPLE.dev, PEOPLE.stranger]) {
      const result = command(newRelease(), '/secrel cve CVE-2026-12345', who);
      expect(result.state.cveId).toBeUndefined();
      expect(replies(result)[0]).toMatch(/refused/);
    }
    const h1 = command(newRelease(), '/secrel h1 2900001', PEOPLE.manager);
    expect(h1.state.hackerOneReports).toBeUndefined();
  });

  it('validate what they attach', () => {
    for (const bad of [
      '/secrel h1',
      '/secrel h1 abc',
      '/secrel h1 12 34',
      '/secrel cve 2026-1234',
      '/secrel cve CVE-26-1234',
      '/secrel cve CVE-2026-123',
      '/secrel cve CVE-1990-12345',
    ]) {
      expect(() => parseCommand(bad, DEFAULT_PLAYBOOK), bad).toThrow();
    }
    const result = command(newRelease(), '/secrel cve CVE-2026-12');
    expect(result.state.cveId).toBeUndefined();
    expect(replies(result)[0]).toContain('cve needs a CVE id');
  });
});

describe('/secrel help', () => {
  it('lists the commands the author may run', () => {
    const lead = replies(command(newRelease(), '/secrel help'))[0] ?? '';
    expect(lead).toContain('/secrel cve CVE-YYYY-NNNN');
    expect(lead).toContain('/secrel abort <reason>');
    const manager = replies(command(newRelease(), '/secrel help', PEOPLE.manager))[0] ?? '';
    expect(manager).toContain('/secrel slip <hours>');
    expect(manager).not.toContain('/secrel abort');
    expect(manager).not.toContain('/secrel cve');
    const dev = replies(command(newRelease(), '/secrel help', PEOPLE.dev))[0] ?? '';
    expect(dev).toContain('/secrel done <task>');
    expect(dev).not.toContain('/secrel slip');
  });
});
