import { randomBytes } from 'node:crypto';

/**
 * The HMAC secret of access tokens: the configured one, else one generated at
 * first start and kept in `settings`, so every process and restart agrees and
 * tokens survive a restart.
 */
export async function resolveTokenSecret(settings: { getOrInsert(name: string, value: string): Promise<string> }, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  return settings.getOrInsert('token_secret', newSecret());
}

/** A random secret for when none is configured or stored. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
