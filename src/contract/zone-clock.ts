/*
 * The calendar zones' clock, as the web client needs it to place report buckets and forecasts in
 * a campaign's zone exactly as the server counts them. The rules are the domain's; this file holds
 * no schema, so the web client takes it without the schema library in its bundle.
 */
export { instantOfWall, zoneClock, type ZoneClock } from '../domain/zone-clock.js';
