/*
 * Shapes of the REST answers the client reads (see GET /api/openapi.json): the server's own
 * definitions from the contract module (src/contract), types only, so no schema code reaches the
 * bundle.
 */

export type { Agent, AgentTier, Tier } from '../../src/contract/agent-schemas.js';
export type { Calendar } from '../../src/contract/calendar-schemas.js';
export type { Campaign } from '../../src/contract/campaign-schemas.js';
export type { CauseClass } from '../../src/contract/cause-classes.js';
export type { DncEntry } from '../../src/contract/dnc-schemas.js';
export type { LineGroup } from '../../src/contract/line-group-schemas.js';
export type { AgentBoardRow, CampaignBoardRow, LiveMessage } from '../../src/contract/live-board.js';
export type { Attempt, Member } from '../../src/contract/member-schemas.js';
export type { AgentReport, CampaignForecast, CampaignReport } from '../../src/contract/report-schemas.js';
export type { User } from '../../src/contract/user-schemas.js';
