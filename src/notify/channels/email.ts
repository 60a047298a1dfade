import type { AlertEvent, Channel } from '../types.ts';
import { NotifyError } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import { redactText } from '../../lib/redact.ts';
import type { Logger } from '../../lib/logger.ts';
import { displayLabels, escapeHtml, formatValue, plainText, summaryOf, timeLine, title } from './format.ts';

export type EmailConfig = Extract<ChannelConfig, { type: 'email' }>;

/** The part of a nodemailer transporter we use; injectable so a test can wrap the real one. */
export interface MailTransport {
  sendMail(mail: { from: string; to: string[]; subject: string; text: string; html: string; headers?: Record<string, string>; signal?: AbortSignal }): Promise<{ rejected?: unknown[] }>;
}
export type CreateTransport = (url: string) => MailTransport;

export interface EmailDeps {
  createTransport?: CreateTransport | undefined;
  logger?: Logger | undefined;
  externalUrl?: string | undefined;
  version?: string | undefined;
  secrets: readonly string[];
}

const COLORS: Record<string, string> = { critical: '#d00000', warning: '#e09000', info: '#2060c0', resolved: '#208020' };

/** The HTML part: every interpolated string escaped. */
export function emailHtml(events: readonly AlertEvent[], externalUrl?: string): string {
  const rows = events
    .map((e) => {
      const color = e.kind === 'resolved' ? COLORS.resolved : COLORS[e.severity];
      const labels = displayLabels(e)
        .map(([k, v]) => `<code>${escapeHtml(k)}="${escapeHtml(v)}"</code>`)
        .join(' ');
      return [
        `<tr><td style="border-left:4px solid ${color};padding:6px 10px">`,
        `<strong>${e.kind === 'firing' ? 'FIRING' : 'RESOLVED'} ${escapeHtml(e.alert)}</strong> (${escapeHtml(e.severity)})<br>`,
        `${escapeHtml(summaryOf(e))}<br>`,
        `value <strong>${escapeHtml(formatValue(e.value))}</strong> (threshold ${escapeHtml(formatValue(e.threshold))}) · ${escapeHtml(timeLine(e))}<br>`,
        labels ? `${labels}<br>` : '',
        e.annotations.description ? `${escapeHtml(e.annotations.description)}<br>` : '',
        `</td></tr>`,
      ].join('');
    })
    .join('\n');
  const link = externalUrl ? `<p><a href="${escapeHtml(externalUrl)}">${escapeHtml(externalUrl)}</a></p>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif"><h2>${escapeHtml(title(events))}</h2><table cellspacing="0">\n${rows}\n</table>${link}</body></html>\n`;
}

/** nodemailer/SMTP failure → NotifyError: 4xx and connection trouble recoverable, 5xx and EAUTH permanent. */
export function smtpError(what: string, err: unknown, secrets: readonly string[]): NotifyError {
  const e = err as { code?: string; responseCode?: number; message?: string; name?: string };
  const code = e?.code;
  const rc = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  let recoverable: boolean;
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'EOAUTH2') recoverable = false;
  else if (rc !== undefined) recoverable = rc < 500;
  else if (code === 'EENVELOPE' || code === 'EMESSAGE') recoverable = false;
  else recoverable = true; // ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, ETLS, aborts: the server may be back later
  const reason =
    code === 'EAUTH' ? 'auth_failed'
    : rc !== undefined ? `smtp_${rc}`
    : code === 'ETIMEDOUT' || code === 'EABORT' ? 'timeout'
    : code === 'ESOCKET' || code === 'ECONNECTION' || code === 'EDNS' ? 'network'
    : (code?.toLowerCase() ?? 'unknown');
  const detail = [code, e?.message ?? String(err)].filter(Boolean).join(' ');
  return new NotifyError(redactText(`${what}: ${detail}`, secrets), { recoverable, reason });
}

export function createEmailChannel(name: string, cfg: EmailConfig, deps: EmailDeps): Channel {
  // nodemailer costs ~12 MB of memory: it is loaded when the first mail goes out, not when the sidecar starts
  let transport: Promise<MailTransport> | undefined;
  const getTransport = (): Promise<MailTransport> =>
    (transport ??= deps.createTransport
      ? Promise.resolve(deps.createTransport(cfg.url))
      : import('nodemailer').then((m) => m.createTransport(cfg.url)));
  let host = 'invalid-url';
  try {
    host = new URL(cfg.url).host;
  } catch {
    // the schema only checks the scheme; a bad URL fails at send time with a redacted message
  }
  const what = `email ${name} (${host})`;
  return {
    name,
    type: 'email',
    async send(events: AlertEvent[], signal: AbortSignal): Promise<void> {
      const mail = {
        from: cfg.from,
        to: cfg.to,
        subject: title(events),
        text: plainText(events, deps.externalUrl),
        html: emailHtml(events, deps.externalUrl),
        headers: { 'X-Prodpulse-Version': deps.version ?? 'dev' },
      };
      let info: { rejected?: unknown[] };
      try {
        // nodemailer ≥ 9 honours `signal`: aborting closes the SMTP connection of this message
        info = await (await getTransport()).sendMail({ ...mail, signal });
      } catch (err) {
        throw smtpError(what, err, deps.secrets);
      }
      // some recipients refused, others took it: a retry would duplicate the mail for those, so warn and move on
      const rejected = (info?.rejected ?? []).map((r) => (typeof r === 'string' ? r : ((r as { address?: string })?.address ?? '?')));
      if (rejected.length) deps.logger?.warn({ channel: name, rejected }, 'email delivered, but some recipients were refused');
    },
  };
}
