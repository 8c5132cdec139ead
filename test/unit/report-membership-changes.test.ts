/**
 * The markdown plan shows the membership changes it makes as a mermaid picture (GitHub renders
 * it in the PR comment), and no picture when no membership changes.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_ATTRIBUTES } from '../../src/model/state.js';
import { buildPlan } from '../../src/plan/build.js';
import { renderPlanMarkdown } from '../../src/report/markdown.js';
import { current } from './plan-fixture.js';

describe('markdown plan: membership picture', () => {
  it('draws granted, changed and revoked memberships, new and dropped roles marked', () => {
    const plan = buildPlan(current, [
      {
        type: 'create_role',
        role: 'alice',
        attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true },
      },
      {
        type: 'grant_membership',
        role: 'readers',
        member: 'alice',
        admin: false,
        inherit: true,
        set: true,
      },
      { type: 'alter_membership', role: 'admins', member: 'bob', admin: true },
      { type: 'revoke_membership', role: 'readers', member: 'carol' },
      { type: 'drop_role', role: 'carol' },
    ]);
    const markdown = renderPlanMarkdown(plan);
    const block = markdown.slice(markdown.indexOf('**Memberships**'));
    expect(block.slice(0, block.indexOf('\n```\n') + 4).split('\n')).toEqual([
      '**Memberships**',
      '',
      '```mermaid',
      'flowchart LR',
      '  m0["admins"]',
      '  m1["alice (new)"]',
      '  m2["bob"]',
      '  m3["carol (dropped)"]',
      '  m4["readers"]',
      '  m2 -->|"~ ADMIN"| m0',
      '  m1 -->|"+ member, INHERIT, SET"| m4',
      '  m3 -.->|"- revoked"| m4',
      '```',
    ]);
  });

  it('escapes names so that they stay label text and cannot end the block', () => {
    const plan = buildPlan(current, [
      { type: 'grant_membership', role: 'r"```<x>', member: 'm#1', admin: false },
    ]);
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain('m0["m#35;1"]');
    expect(markdown).toContain('m1["r#quot;#96;#96;#96;#lt;x#gt;"]');
  });

  it('has no picture when the plan changes no membership', () => {
    const plan = buildPlan(current, [{ type: 'comment_role', role: 'bob', comment: 'Bob' }]);
    expect(renderPlanMarkdown(plan)).not.toContain('mermaid');
  });
});
