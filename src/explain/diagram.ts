/**
 * The membership graph as a picture: mermaid (GitHub renders it in markdown) or Graphviz dot.
 * Nodes are roles, marked login / superuser; an arrow goes from member to role, labelled with
 * the membership's options (ADMIN, INHERIT, SET), dashed when it does not inherit.
 */
import type { ExplainCatalog } from '../model/explain-catalog.js';
import { membershipGraph, reachable, type MembershipEdge } from './memberships.js';

export const DIAGRAM_FORMATS = ['mermaid', 'dot'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

export interface DiagramNode {
  readonly name: string;
  readonly login: boolean;
  readonly superuser: boolean;
}

export interface DiagramEdge {
  readonly member: string;
  readonly role: string;
  readonly admin: boolean;
  readonly inherit: boolean;
  readonly set: boolean;
}

export interface MembershipDiagram {
  readonly format: DiagramFormat;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  /** The picture's source text. */
  readonly text: string;
}

const isPredefined = (name: string): boolean => name.startsWith('pg_');
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The diagram of a catalog's memberships. With `roles`, only their neighbourhood: the roles
 * they are members of and the members they have, transitively. Without, every role but the
 * predefined `pg_*` ones that no other role is a member of (their built-in links are noise).
 */
export function membershipDiagram(
  catalog: Pick<ExplainCatalog, 'versionNum' | 'roles' | 'memberships'>,
  options: { readonly roles: readonly string[]; readonly format: DiagramFormat },
): MembershipDiagram {
  const graph = membershipGraph(catalog, null);
  let included: Set<string>;
  if (options.roles.length > 0) {
    const up = reachable(options.roles, (role) => graph.memberOf(role).map((e) => e.role));
    const down = reachable(options.roles, (role) => graph.membersOf(role).map((e) => e.member));
    included = new Set([...up, ...down]);
  } else {
    included = new Set(
      catalog.roles.map((role) => role.name).filter((name) => !isPredefined(name)),
    );
    for (const edge of graph.edges) if (!isPredefined(edge.member)) included.add(edge.role);
  }
  const nodes = catalog.roles
    .filter((role) => included.has(role.name))
    .map((role) => ({ name: role.name, login: role.login, superuser: role.superuser }))
    .sort((a, b) => byName(a.name, b.name));
  const edges = graph.edges
    .filter((edge) => included.has(edge.member) && included.has(edge.role))
    .map(({ member, role, admin, inherit, set }: MembershipEdge) => ({
      member,
      role,
      admin,
      inherit,
      set,
    }))
    .sort((a, b) => byName(a.member, b.member) || byName(a.role, b.role));
  const text = options.format === 'dot' ? renderDot(nodes, edges) : renderMermaid(nodes, edges);
  return { format: options.format, nodes, edges, text };
}

export function nodeLabel(node: DiagramNode): string {
  const marks = [node.superuser ? 'superuser' : '', node.login ? 'login' : ''].filter(Boolean);
  return marks.length === 0 ? node.name : `${node.name} (${marks.join(', ')})`;
}

export function edgeLabel(edge: Pick<DiagramEdge, 'admin' | 'inherit' | 'set'>): string {
  const options = [edge.admin ? 'ADMIN' : '', edge.inherit ? 'INHERIT' : '', edge.set ? 'SET' : ''];
  const label = options.filter(Boolean).join(', ');
  return label === '' ? 'no INHERIT, no SET' : label;
}

/** Mermaid label text: quotes and angle brackets as entity codes, so a name stays text. */
export function mermaidText(text: string): string {
  return text
    .replaceAll('#', '#35;')
    .replaceAll('"', '#quot;')
    .replaceAll('<', '#lt;')
    .replaceAll('>', '#gt;');
}

function renderMermaid(nodes: readonly DiagramNode[], edges: readonly DiagramEdge[]): string {
  const id = new Map(nodes.map((node, index) => [node.name, `r${index}`]));
  const lines = ['flowchart LR'];
  for (const node of nodes) lines.push(`  ${id.get(node.name)}["${mermaidText(nodeLabel(node))}"]`);
  for (const edge of edges) {
    const arrow = edge.inherit ? '-->' : '-.->';
    lines.push(
      `  ${id.get(edge.member)} ${arrow}|"${mermaidText(edgeLabel(edge))}"| ${id.get(edge.role)}`,
    );
  }
  return lines.join('\n');
}

function dotString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

function renderDot(nodes: readonly DiagramNode[], edges: readonly DiagramEdge[]): string {
  const lines = ['digraph memberships {', '  rankdir=LR;', '  node [shape=box];'];
  for (const node of nodes)
    lines.push(
      `  ${dotString(node.name)} [label=${dotString(nodeLabel(node))}${node.superuser ? ', style=bold' : ''}];`,
    );
  for (const edge of edges)
    lines.push(
      `  ${dotString(edge.member)} -> ${dotString(edge.role)} [label=${dotString(edgeLabel(edge))}${edge.inherit ? '' : ', style=dashed'}];`,
    );
  lines.push('}');
  return lines.join('\n');
}
