import { Router } from 'express';
import { z } from 'zod';
import { STAFF } from '../../../app/auth/roles.js';
import { Calendar, CalendarCreate, CalendarUpdate } from '../../../contract/calendar-schemas.js';
import { IdParams } from '../../../contract/common-schemas.js';
import { badRequest, conflict, notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const P = '/api/v2/calendars';

/** K1 calendars. */
export function calendarRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const cals = ctx.repos.calendars;
  const tag = 'calendars';
  reg.add(r, { method: 'get', path: P, tag, summary: 'List calendars', roles: STAFF,
    responses: { 200: { description: 'calendars', schema: z.array(Calendar) } } },
  async ({ res }) => { res.json(await cals.list()); });

  reg.add(r, { method: 'post', path: P, tag, summary: 'Create a calendar', roles: STAFF, body: CalendarCreate,
    responses: { 201: { description: 'created', schema: Calendar } } },
  async ({ body, res }) => { res.status(201).json(await cals.create(body, ctx.now())); });

  reg.add(r, { method: 'get', path: `${P}/:id`, tag, summary: 'Get a calendar', roles: STAFF, params: IdParams,
    responses: { 200: { description: 'calendar', schema: Calendar }, 404: { description: 'no such calendar' } } },
  async ({ params, res }) => {
    const c = await cals.get(params.id);
    if (!c) throw notFound('calendar', params.id);
    res.json(c);
  });

  reg.add(r, { method: 'put', path: `${P}/:id`, tag, summary: 'Change a calendar (fields given)', roles: STAFF,
    params: IdParams, body: CalendarUpdate,
    responses: { 200: { description: 'changed', schema: Calendar }, 404: { description: 'no such calendar' } } },
  async ({ params, body, res }) => {
    const out = await cals.update(params.id, body, ctx.now());
    if (out.kind === 'not-found') throw notFound('calendar', params.id);
    if (out.kind === 'invalid') throw badRequest(`body.end_at: ${out.message}`, { issues: [{ path: 'body.end_at', message: out.message }] });
    // Campaigns using the calendar may open or close now.
    for (const c of await ctx.repos.campaigns.list()) if (c.calendar_id === params.id) ctx.signals.campaignChanged(c.id);
    res.json(out.calendar);
  });

  reg.add(r, { method: 'delete', path: `${P}/:id`, tag, summary: 'Delete a calendar no campaign uses', roles: STAFF,
    params: IdParams, responses: { 204: { description: 'deleted' }, 404: { description: 'no such calendar' }, 409: { description: 'in use' } } },
  async ({ params, res }) => {
    const out = await cals.delete(params.id);
    if (out === 'not-found') throw notFound('calendar', params.id);
    if (out === 'in-use') throw conflict(`calendar ${params.id} is used by a campaign`);
    res.status(204).end();
  });
  return r;
}
