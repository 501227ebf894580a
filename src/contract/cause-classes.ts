/*
 * C9: the cause classes and the default cause table, as the API shows them (a campaign's `causes`
 * is this table with its overrides). The table itself is the domain's; this file holds no schema,
 * so the web client takes it without the schema library in its bundle.
 */
export { CAUSE_CLASSES, DEFAULT_CAUSES, type CauseClass } from '../domain/cause-policy.js';
