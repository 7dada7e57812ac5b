import { describe, expect, it } from 'vitest';
import { MAX_MENTIONED_ISSUES, mentionedIssues } from '../../lib/core/mentioned-issues.js';
import { referencesIssue } from '../../lib/core/references.js';

const CONFIG = {
  gitlab: { url: 'https://gitlab.example.com/' },
  projects: [
    { id: 42, path: 'acme/product', defaultBranch: 'main' },
    { id: 43, path: 'acme/product-ee', defaultBranch: 'master' },
  ],
};
const keys = (text: string, from = 42) =>
  mentionedIssues(text, from, CONFIG).map((i) => `${i.projectId}#${i.iid}`);

describe('issues an MR text names (routing candidates)', () => {
  it('reads #n in the same project, group/project#n and issue URLs', () => {
    expect(keys('Fixes #77')).toEqual(['42#77']);
    expect(keys('Fixes acme/product#77', 43)).toEqual(['42#77']);
    expect(keys('See ACME/Product-EE#5')).toEqual(['43#5']);
    expect(keys('https://gitlab.example.com/acme/product/-/issues/78.')).toEqual(['42#78']);
  });

  it('ignores MRs, epics, anchors in words, unknown projects and other hosts', () => {
    expect(
      keys('!77 &77 abc#77 x/#77 other/project#77 https://evil.example/acme/product/-/issues/9'),
    ).toEqual([]);
  });

  it('names each issue once and at most a bounded number', () => {
    expect(keys('#77 #77 acme/product#77')).toEqual(['42#77']);
    const many = Array.from({ length: 500 }, (_, i) => `#${i + 1}`).join(' ');
    expect(keys(many)).toHaveLength(MAX_MENTIONED_ISSUES);
  });

  it('finds every issue referencesIssue accepts (routing never misses a reference the core counts)', () => {
    const texts = [
      'Fixes #77',
      'fixes acme/product#77 for 17.5',
      'Part of https://gitlab.example.com/acme/product/-/issues/77',
      '(#77)',
      'acme/product-ee#77',
      '#770',
    ];
    for (const text of texts) {
      for (const from of [42, 43]) {
        const issue = { projectId: 42, iid: 77, projectPath: 'acme/product' };
        if (referencesIssue(text, issue, from, 'https://gitlab.example.com'))
          expect(keys(text, from), `${text} from ${from}`).toContain('42#77');
      }
    }
  });
});
