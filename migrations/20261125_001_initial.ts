import type { Knex } from 'knex';

/*
 * The whole data model of DESIGN §3. MySQL is the only source of truth: every
 * timer in Redis can be rebuilt from the *_at columns below.
 *
 * Times are DATETIME(3) in UTC (the connection runs with time_zone '+00:00').
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settings', (t) => {
    t.string('name', 64).primary();
    t.text('value').notNullable();
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    t.string('password_hash', 255).notNullable();
    t.enu('role', ['admin', 'operator', 'api']).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });

  // One row per login: the token is bound to the key; logout revokes the key (S1).
  await knex.schema.createTable('api_keys', (t) => {
    t.string('key', 36).primary();
    t.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE');
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.datetime('revoked_at', { precision: 3 }).nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('calendars', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable();
    t.string('timezone', 64).notNullable();
    t.datetime('start_at', { precision: 3 }).nullable();
    t.datetime('end_at', { precision: 3 }).nullable();
    t.json('windows').notNullable();
    t.json('holidays').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });

  await knex.schema.createTable('line_groups', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable().unique();
    t.integer('capacity').unsigned().notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });

  await knex.schema.createTable('campaigns', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable();
    t.string('type', 16).notNullable().defaultTo('progressive');
    t.integer('calendar_id').unsigned().notNullable().references('calendars.id');
    t.integer('priority').notNullable().defaultTo(0);
    t.integer('call_limit').unsigned().notNullable(); // C2 ("limit" is reserved in SQL)
    t.integer('retry_wait_sec').unsigned().notNullable();
    t.integer('max_tries').unsigned().notNullable();
    t.integer('min_success_sec').unsigned().notNullable();
    t.boolean('wait_result').notNullable().defaultTo(false);
    t.integer('wrapup_sec').unsigned().notNullable();
    t.json('variables').notNullable();
    t.json('causes').notNullable(); // per-campaign overrides of the default cause table (C9)
    t.integer('line_group_id').unsigned().nullable().references('line_groups.id');
    t.enu('state', ['idle', 'running', 'stopping', 'stopped', 'finished']).notNullable().defaultTo('idle');
    t.integer('version').unsigned().notNullable().defaultTo(0);
    // Fair share between equal priorities (C3): calls placed since the campaign last ran.
    t.bigInteger('dialled').unsigned().notNullable().defaultTo(0);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.datetime('finished_at', { precision: 3 }).nullable();
    t.index(['state', 'priority']);
    t.index(['line_group_id']);
  });

  await knex.schema.createTable('members', (t) => {
    t.bigIncrements('id');
    t.integer('campaign_id').unsigned().notNullable().references('campaigns.id').onDelete('CASCADE');
    t.string('name', 255).notNullable().defaultTo('');
    t.integer('priority').notNullable().defaultTo(0);
    t.datetime('expire_at', { precision: 3 }).nullable();
    t.string('timezone', 64).nullable(); // K3: NULL means the calendar's zone
    t.json('variables').notNullable();
    t.enu('state', ['ready', 'dialing', 'waiting_result', 'done']).notNullable().defaultTo('ready');
    t.datetime('ready_at', { precision: 3 }).notNullable();
    t.integer('tries').unsigned().notNullable().defaultTo(0);
    t.string('result', 64).nullable();
    t.datetime('ended_at', { precision: 3 }).nullable();
    // R1 next_communication: the number to try next, whatever the priorities say.
    t.bigInteger('next_communication_id').unsigned().nullable();
    // The number of the last attempt: numbers are tried in turn (M1).
    t.bigInteger('last_communication_id').unsigned().nullable();
    t.integer('version').unsigned().notNullable().defaultTo(0);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });
  // Dispatch index (M3): ready members of a campaign by priority desc, then longest ready.
  await knex.raw(
    'CREATE INDEX members_dispatch ON members (campaign_id, state, priority DESC, ready_at, id)',
  );
  await knex.raw('CREATE INDEX members_zone ON members (campaign_id, state, timezone, priority DESC, ready_at, id)');
  await knex.raw('CREATE INDEX members_expiry ON members (state, expire_at)');
  await knex.raw('CREATE INDEX members_ready_at ON members (state, ready_at)');

  // Distinct member zones of a campaign, so dispatch evaluates the calendar once per zone (DESIGN §3).
  await knex.schema.createTable('campaign_zones', (t) => {
    t.integer('campaign_id').unsigned().notNullable().references('campaigns.id').onDelete('CASCADE');
    t.string('timezone', 64).notNullable();
    t.primary(['campaign_id', 'timezone']);
  });

  await knex.schema.createTable('communications', (t) => {
    t.bigIncrements('id');
    t.bigInteger('member_id').unsigned().notNullable().references('members.id').onDelete('CASCADE');
    t.integer('campaign_id').unsigned().notNullable();
    t.string('number', 32).notNullable();
    t.integer('priority').notNullable().defaultTo(0);
    t.integer('position').unsigned().notNullable(); // list order, for equal priorities (M1)
    t.enu('state', ['active', 'stopped']).notNullable().defaultTo('active');
    t.integer('tries').unsigned().notNullable().defaultTo(0);
    t.string('last_cause', 64).nullable();
    t.unique(['campaign_id', 'number'], { indexName: 'communications_campaign_number' }); // M2
    t.index(['member_id', 'state', 'priority']);
  });

  await knex.schema.createTable('agents', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable();
    t.string('sip_user', 128).notNullable().unique();
    t.enu('status', ['Available', 'On Break', 'Logged Out']).notNullable().defaultTo('Logged Out');
    t.enu('state', ['Waiting', 'Reserved', 'Receiving', 'In a queue call', 'Wrap up'])
      .notNullable()
      .defaultTo('Waiting');
    t.integer('call_timeout').unsigned().notNullable();
    t.integer('wrapup_sec').unsigned().notNullable();
    t.integer('max_no_answer').unsigned().notNullable();
    t.integer('busy_delay_sec').unsigned().notNullable();
    t.integer('reject_delay_sec').unsigned().notNullable();
    t.integer('no_answer_delay_sec').unsigned().notNullable();
    t.integer('no_answer_count').unsigned().notNullable().defaultTo(0);
    // A2: not offered a call before this instant (delays, wrap-up end).
    t.datetime('ready_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.bigInteger('attempt_id').unsigned().nullable();
    // Longest idle first: when the agent last became Waiting.
    t.datetime('idle_since', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.integer('version').unsigned().notNullable().defaultTo(0);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.index(['status', 'state', 'ready_at']);
  });

  // Where each SIP user's phone is registered (A2, F3), kept from sofia events and a resync on
  // every connect. Keyed by SIP user, not agent, so an agent created later is found registered.
  await knex.schema.createTable('registrations', (t) => {
    t.string('sip_user', 128).notNullable();
    t.string('node', 128).notNullable();
    t.string('contact', 255).notNullable().defaultTo('');
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.primary(['sip_user', 'node']);
    t.index(['node']);
  });

  await knex.schema.createTable('tiers', (t) => {
    t.integer('campaign_id').unsigned().notNullable().references('campaigns.id').onDelete('CASCADE');
    t.integer('agent_id').unsigned().notNullable().references('agents.id').onDelete('CASCADE');
    t.integer('level').unsigned().notNullable().defaultTo(1);
    t.primary(['campaign_id', 'agent_id']);
    t.index(['agent_id']);
  });

  await knex.schema.createTable('attempts', (t) => {
    t.bigIncrements('id');
    t.integer('campaign_id').unsigned().notNullable().references('campaigns.id').onDelete('CASCADE');
    t.bigInteger('member_id').unsigned().notNullable().references('members.id').onDelete('CASCADE');
    t.bigInteger('communication_id').unsigned().notNullable();
    t.string('number', 32).notNullable();
    t.integer('agent_id').unsigned().nullable();
    t.integer('line_group_id').unsigned().nullable();
    t.string('node', 128).nullable(); // FreeSWITCH server the legs run on
    t.string('instance_id', 128).nullable(); // engine process that owns the attempt (DESIGN §1a)
    t.datetime('lease_until', { precision: 3 }).nullable();
    t.enu('state', ['reserved', 'ringing_agent', 'bridging', 'talking', 'waiting_result', 'done'])
      .notNullable()
      .defaultTo('reserved');
    t.string('agent_uuid', 36).nullable(); // origination_uuid chosen before originate (F2)
    t.string('member_uuid', 36).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('agent_answered_at', { precision: 3 }).nullable();
    t.datetime('answered_at', { precision: 3 }).nullable();
    t.datetime('ended_at', { precision: 3 }).nullable();
    t.datetime('result_deadline_at', { precision: 3 }).nullable(); // C7
    t.string('agent_cause', 64).nullable();
    t.string('hangup_cause', 64).nullable();
    t.integer('talk_sec').unsigned().nullable();
    t.string('outcome', 32).nullable(); // success | retry | error | minus | agent_failed | ...
    t.json('result_status').nullable(); // R1 body as received
    t.text('comment').nullable();
    // One live attempt per member: set to member_id while live, NULL when done.
    t.bigInteger('active_member').unsigned().nullable().unique();
    // Live-call counting under lock (C2, C3): non-NULL while the attempt holds a line.
    t.integer('live_campaign').unsigned().nullable();
    t.integer('live_line_group').unsigned().nullable();
    t.index(['member_id', 'id']);
    t.index(['live_campaign']);
    t.index(['live_line_group']);
    t.index(['state', 'lease_until']);
    t.index(['instance_id', 'state']);
    t.index(['agent_uuid']);
  });

  await knex.schema.createTable('dnc', (t) => {
    t.bigIncrements('id');
    t.integer('campaign_id').unsigned().nullable().references('campaigns.id').onDelete('CASCADE');
    t.string('number', 32).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });
  // NULL campaign means global; a generated scope makes (scope, number) unique.
  await knex.raw('ALTER TABLE dnc ADD COLUMN scope INT UNSIGNED AS (IFNULL(campaign_id, 0)) STORED');
  await knex.raw('CREATE UNIQUE INDEX dnc_scope_number ON dnc (scope, number)');
  await knex.raw('CREATE INDEX dnc_number ON dnc (number)');
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['dnc', 'attempts', 'tiers', 'registrations', 'agents', 'communications', 'campaign_zones', 'members',
    'campaigns', 'line_groups', 'calendars', 'api_keys', 'users', 'settings']) {
    await knex.schema.dropTableIfExists(t);
  }
}
