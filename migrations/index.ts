import type { Knex } from 'knex';
import * as initial from './20261125_001_initial.js';
import * as boardCounts from './20261125_002_board_counts.js';
import * as minusCeiling from './20261204_003_minus_ceiling.js';
import * as agentUsers from './20261204_004_agent_users.js';
import * as campaignReason from './20261204_005_campaign_reason.js';
import * as nodeViews from './20261204_006_node_views.js';
import * as agentRequiresClient from './20261204_007_agent_requires_client.js';
import * as attemptReports from './20261204_008_attempt_reports.js';
import * as attemptReportCover from './20261204_009_attempt_report_cover.js';
import * as agentStatusHistory from './20261204_010_agent_status_history.js';
import * as agentStateSince from './20261204_011_agent_state_since.js';
import * as agentReportTotals from './20261204_012_agent_report_totals.js';
import * as attemptWrapUp from './20261204_013_attempt_wrap_up.js';
import * as campaignType from './20261204_014_campaign_type.js';
import * as previewAttempts from './20261204_014_preview_attempts.js';
import * as predictiveLegs from './20261204_015_predictive_legs.js';
import * as reportAbandons from './20261204_017_report_abandons.js';
import * as reportKeys from './20261205_018_report_keys.js';
import * as pacerStates from './20261205_019_pacer_states.js';

/** The migrations, in order. A static list works the same under tsx, tests and builds. */
const migrations: Record<string, Knex.Migration> = {
  '20261125_001_initial': initial,
  '20261125_002_board_counts': boardCounts,
  '20261204_003_minus_ceiling': minusCeiling,
  '20261204_004_agent_users': agentUsers,
  '20261204_005_campaign_reason': campaignReason,
  '20261204_006_node_views': nodeViews,
  '20261204_007_agent_requires_client': agentRequiresClient,
  '20261204_008_attempt_reports': attemptReports,
  '20261204_009_attempt_report_cover': attemptReportCover,
  '20261204_010_agent_status_history': agentStatusHistory,
  '20261204_011_agent_state_since': agentStateSince,
  '20261204_012_agent_report_totals': agentReportTotals,
  '20261204_013_attempt_wrap_up': attemptWrapUp,
  '20261204_014_campaign_type': campaignType,
  '20261204_014_preview_attempts': previewAttempts,
  '20261204_015_predictive_legs': predictiveLegs,
  '20261204_017_report_abandons': reportAbandons,
  '20261205_018_report_keys': reportKeys,
  '20261205_019_pacer_states': pacerStates,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
