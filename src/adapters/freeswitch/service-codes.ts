/*
 * Service numbers dialled from an agent's phone (A5): the dialplan hands the call to our
 * outbound socket (freeswitch-conf/dialplan/default-first/00_dialer_service_codes.xml, which also sets
 * dialer_sip_user); we identify the agent by its SIP user, ask the engine, play a confirmation or
 * error tone and hang up.
 */
import type { ServiceCode } from '../../app/ports/telephony.js';
import type { ChannelData } from './channel-event.js';
import { withDeadline, type SessionContext } from './session-context.js';
import type { SocketSession } from './socket-session.js';

export type ServiceCodeMap = Readonly<Record<string, ServiceCode>>;

/** Default service numbers; pass another map to FreeSwitchTelephony to change them. */
export const DEFAULT_SERVICE_CODES: ServiceCodeMap = { '*100': 'login', '*101': 'logout', '*102': 'break' };

/** Two rising beeps. */
export const CONFIRM_TONE = 'tone_stream://%(150,50,880);%(300,0,1320)';
/** Three low busy-like beeps. */
export const ERROR_TONE = 'tone_stream://%(250,100,480,620);%(250,100,480,620);%(250,0,480,620)';

export async function runServiceCode(ctx: SessionContext, session: SocketSession, data: ChannelData, code: ServiceCode, remoteAddress: string | null): Promise<void> {
  const log = ctx.log.child({ uuid: data.uuid, code, sipUser: data.callerSipUser });
  let ok = false;
  if (data.callerSipUser) {
    const node = ctx.nodeOf(data.coreUuid, data.callerSipUser, remoteAddress);
    ok = (await withDeadline(ctx.handler.onServiceCode(node, data.callerSipUser, code), ctx.timeouts.handlerMs, log, 'onServiceCode')) === true;
  } else {
    log.warn('service number from a channel without a SIP user');
  }
  log.info({ ok }, 'service number');
  await session.execute('playback', ok ? CONFIRM_TONE : ERROR_TONE, ctx.timeouts.executeMs);
  await session.hangupChannel('NORMAL_CLEARING');
  await session.waitHangup(ctx.timeouts.hangupMs);
}
