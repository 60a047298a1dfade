import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AlertEvent, Channel } from '../types.ts';
import { NotifyError } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import { redactText } from '../../lib/redact.ts';
import type { Logger } from '../../lib/logger.ts';
import { alertBlock, displayLabels, escapeHtml, formatValue, plainTextOf, summaryOf, timeLine, title } from './format.ts';
import { mapSliced } from '../../lib/slice.ts';

export type EmailConfig = Extract<ChannelConfig, { type: 'email' }>;

/** The part of a nodemailer transporter we use; injectable so a test can wrap the real one. */
export interface MailTransport {
  sendMail(mail: { from: string; to: string[]; subject: string; text: string | Readable; html: string | Readable; headers?: Record<string, string>; textEncoding?: 'base64' | 'quoted-printable'; signal?: AbortSignal }): Promise<{ rejected?: unknown[] }>;
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
  return emailHtmlOf(events, events.map(emailHtmlRow), externalUrl);
}

/** One alert as a table row of the HTML part. */
export function emailHtmlRow(e: AlertEvent): string {
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
}

/** emailHtml from rows already formatted. */
export function emailHtmlOf(events: readonly AlertEvent[], rows: readonly string[], externalUrl?: string): string {
  const link = externalUrl ? `<p><a href="${escapeHtml(externalUrl)}">${escapeHtml(externalUrl)}</a></p>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif"><h2>${escapeHtml(title(events))}</h2><table cellspacing="0">\n${rows.join('\n')}\n</table>${link}</body></html>\n`;
}

/**
 * Bodies above this size are base64-encoded: Node encodes base64 natively, while nodemailer's quoted-printable
 * encoder is JavaScript that holds the event loop ~20 ms for a 1 000-alert body. Small mails stay readable as
 * quoted-printable.
 */
const BASE64_ABOVE = 64 * 1024;
const CHUNK_BYTES = 16 * 1024;

/** A string as a readable stream of CHUNK_BYTES pieces of its UTF-8 bytes, one per turn of the event loop. */
export function inTurns(body: string): Readable {
  const bytes = Buffer.from(body, 'utf8'); // cut as bytes: the base64 encoder works on bytes, characters stay whole
  return Readable.from(
    (async function* () {
      for (let i = 0; i < bytes.length; i += CHUNK_BYTES) {
        if (i > 0) await nextTurn();
        yield bytes.subarray(i, i + CHUNK_BYTES);
      }
    })(),
  );
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
  // nodemailer (~12 MB of memory) is loaded only when an email channel is configured and active (prepare)
  let transport: Promise<MailTransport> | undefined;
  const getTransport = (): Promise<MailTransport> =>
    (transport ??= (deps.createTransport ? Promise.resolve(deps.createTransport(cfg.url)) : import('nodemailer').then((m) => m.createTransport(cfg.url))).catch(
      (err: unknown) => {
        transport = undefined; // a failed load is tried again by the next send
        throw err;
      },
    ));
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
    prepare: async () => {
      await getTransport();
    },
    async send(events: AlertEvent[], signal: AbortSignal): Promise<void> {
      // formatted in slices: a group of a thousand alerts must not hold the thread that serves /metrics
      const text = plainTextOf(events, await mapSliced(events, alertBlock), deps.externalUrl);
      const html = emailHtmlOf(events, await mapSliced(events, emailHtmlRow), deps.externalUrl);
      const mail = {
        from: cfg.from,
        to: cfg.to,
        subject: title(events),
        headers: { 'X-Prodpulse-Version': deps.version ?? 'dev' },
        // a large body goes to nodemailer as a stream of small chunks with a turn of the event loop between them:
        // its encoders then work a chunk at a time instead of holding the loop for the whole body
        ...(text.length + html.length > BASE64_ABOVE ? { text: inTurns(text), html: inTurns(html), textEncoding: 'base64' as const } : { text, html }),
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
