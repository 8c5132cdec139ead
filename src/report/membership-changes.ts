/**
 * The membership changes of a plan as a mermaid picture, for the markdown plan (GitHub renders
 * ```mermaid blocks in PR comments): an arrow from member to role for each membership the plan
 * grants (+), changes (~) or revokes (-, dashed), roles the plan creates or drops marked.
 */
import { mermaidText } from '../explain/diagram.js';
import type { Operation, Plan } from '../model/operations.js';

type MembershipOperation = Extract<
  Operation,
  { type: 'grant_membership' | 'alter_membership' | 'revoke_membership' }
>;

function isMembership(operation: Operation): operation is MembershipOperation {
  return (
    operation.type === 'grant_membership' ||
    operation.type === 'alter_membership' ||
    operation.type === 'revoke_membership'
  );
}

/** The options an operation sets; a grant's ADMIN FALSE is the default and goes unsaid. */
function options(operation: MembershipOperation): string[] {
  if (operation.type === 'revoke_membership') return [];
  const named = (name: string, value: boolean | undefined): string[] =>
    value === undefined ? [] : [value ? name : `${name} FALSE`];
  const admin =
    operation.type === 'grant_membership' && !operation.admin ? undefined : operation.admin;
  return [
    ...named('ADMIN', admin),
    ...named('INHERIT', operation.inherit),
    ...named('SET', operation.set),
  ];
}

function label(operation: MembershipOperation): string {
  switch (operation.type) {
    case 'grant_membership':
      return ['+ member', ...options(operation)].join(', ');
    case 'alter_membership':
      return `~ ${options(operation).join(', ')}`;
    case 'revoke_membership':
      return '- revoked';
  }
}

/** Mermaid text, with backticks as entities too: the block's fence can never be closed early. */
function text(value: string): string {
  return mermaidText(value).replaceAll('`', '#96;');
}

/**
 * The ```mermaid block of a plan's membership changes, or none when it changes no membership.
 *
 * @example
 * blocks.push(...membershipChangesBlock(plan)); // [] or ['**Memberships**\n\n```mermaid ...']
 */
export function membershipChangesBlock(plan: Plan): string[] {
  const changes = plan.steps.map((step) => step.operation).filter(isMembership);
  if (changes.length === 0) return [];
  const created = new Set(
    plan.steps.flatMap((s) => (s.operation.type === 'create_role' ? [s.operation.role] : [])),
  );
  const dropped = new Set(
    plan.steps.flatMap((s) => (s.operation.type === 'drop_role' ? [s.operation.role] : [])),
  );
  const roles = [...new Set(changes.flatMap((change) => [change.member, change.role]))].sort();
  const id = new Map(roles.map((role, index) => [role, `m${index}`]));
  const lines = ['flowchart LR'];
  for (const role of roles) {
    const mark = created.has(role) ? ' (new)' : dropped.has(role) ? ' (dropped)' : '';
    lines.push(`  ${id.get(role)}["${text(`${role}${mark}`)}"]`);
  }
  for (const change of changes) {
    const arrow = change.type === 'revoke_membership' ? '-.->' : '-->';
    lines.push(
      `  ${id.get(change.member)} ${arrow}|"${text(label(change))}"| ${id.get(change.role)}`,
    );
  }
  return [['**Memberships**', '', '```mermaid', ...lines, '```'].join('\n')];
}
