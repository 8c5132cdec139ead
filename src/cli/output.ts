/** The views of a plan the CLI prints (spec §3), all from the same Plan. */
import type { Plan } from '../plan/operations.js';
import { planToJson } from '../plan/planfile.js';
import { renderPlanMarkdown } from '../report/markdown.js';
import { renderPlanSql } from '../report/sql.js';
import { renderPlanText } from '../report/text.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown', 'sql'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** `pgward plan --format json` and plan files: the JSON plan, 2-space indented. */
export function planJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}

export function renderPlanAs(plan: Plan, format: PlanFormat, options: { color: boolean }): string {
  switch (format) {
    case 'text':
      return renderPlanText(plan, options);
    case 'json':
      return planJson(plan);
    case 'markdown':
      return renderPlanMarkdown(plan);
    case 'sql':
      return renderPlanSql(plan);
  }
}
