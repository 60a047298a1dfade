/**
 * Removes secrets from free text (error messages, API responses): every given secret string, the userinfo part of
 * any URL, and Slack-style tokens. Used wherever text that may have touched a credential leaves the process.
 */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+)(?::[^/\s@]*)?@/gi;
const SLACK_TOKEN = /\bxox[abposr]-[A-Za-z0-9-]+/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
/**
 * `token=…` as a URL parameter or in text (heartbeat pings from one-line cron jobs carry `?token=` in the URL), and
 * passwords and secrets as jobs print them (`password=…` in a libpq connection string, `client_secret=…` in a form
 * body), the value quoted or not
 */
export const TOKEN_PARAM = /((?:^|[?&;\s,(])(?:token|access_token|api_key|apikey|password|passwd|secret|client_secret)=)(?:"[^"]*"|'[^']*'|[^&#\s"',)]*)/gi;

export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out.replace(URL_CREDENTIALS, '$1[REDACTED]@').replace(SLACK_TOKEN, '[REDACTED]').replace(BEARER, '$1[REDACTED]').replace(TOKEN_PARAM, '$1[REDACTED]');
}

/**
 * Redacts, then cuts to `max` characters. A token cut in two at the limit is dropped whole: it may be a secret
 * this caller does not know (another channel's, echoed back by a far end), and its head alone would pass every
 * later redaction.
 */
export function redactThenCut(text: string, secrets: Iterable<string>, max: number): string {
  const clean = redactText(text, secrets);
  if (clean.length <= max) return clean;
  return `${clean.slice(0, max).replace(/[^\s"'=:,;]*$/, '')}…`;
}
