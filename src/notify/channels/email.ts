import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AlertEvent, Channel } from '../types.ts';
import { NotifyError } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import { redactText } from '../../lib/redact.ts';
import type { Logger } from '../../lib/logger.ts';
import {
  alertBlocksOf, blockLabels, blockText, commonEntries, escapeHtml, forPeople, plainTextOf, rowTime, summaryOf, thresholdText, timeLine, title,
  valueText, varyingText, whereText, type AlertBlock,
} from './format.ts';
import { alertLinks } from '../links.ts';
import { mapPaced } from '../../lib/slice.ts';

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

const COLORS: Record<string, string> = { critical: '#c62828', warning: '#b26a00', info: '#1e5bb8', resolved: '#2e7d32' };

const colorOf = (e: AlertEvent) => (e.kind === 'resolved' ? COLORS.resolved! : (COLORS[e.severity] ?? COLORS.info!));
const CELL = 'padding:3px 12px 3px 0;vertical-align:top';
const KEY = `${CELL};color:#666;white-space:nowrap`;
const BUTTON = 'display:inline-block;padding:5px 12px;margin:6px 6px 0 0;border-radius:4px;text-decoration:none;font-size:13px';

/** "View alert" and "Silence" as buttons (plain links in clients that drop styles). */
function linkButtons(externalUrl: string | undefined, fingerprint: string): string {
  const links = alertLinks(externalUrl, fingerprint);
  if (!links) return '';
  return (
    `<div><a href="${escapeHtml(links.alert)}" style="${BUTTON};background:#1e5bb8;color:#ffffff">View alert</a>` +
    `<a href="${escapeHtml(links.silence)}" style="${BUTTON};background:#eef1f5;color:#1d1d1f;border:1px solid #ccd">Silence</a></div>`
  );
}

const labelCodes = (labels: [string, string][]) =>
  labels.map(([k, v]) => `<code style="background:#f1f3f5;padding:1px 4px;border-radius:3px;font-size:12px">${escapeHtml(k)}="${escapeHtml(v)}"</code>`).join(' ');

/** The HTML part: every interpolated string escaped, no external resource (images, fonts, styles) at all. */
export function emailHtml(events: readonly AlertEvent[], externalUrl?: string): string {
  return emailHtmlOf(events, alertBlocksOf(events).map((b) => emailHtmlBlock(b, externalUrl)), externalUrl);
}

/** One alert as a table row of the HTML part. */
export function emailHtmlRow(e: AlertEvent, externalUrl?: string): string {
  return emailHtmlBlock({ events: [e] }, externalUrl);
}

/** One block (an alert, or alerts that differ in one label) as a table row of the HTML part. */
export function emailHtmlBlock(b: AlertBlock, externalUrl?: string): string {
  const [e] = b.events as [AlertEvent];
  const color = colorOf(e);
  const state = e.kind === 'firing' ? 'FIRING' : 'RESOLVED';
  const badge = `<span style="display:inline-block;padding:1px 7px;border-radius:9px;background:${color};color:#ffffff;font-size:12px">${escapeHtml(e.severity)}</span>`;
  const heading = `<div style="font-size:15px;margin-bottom:4px"><strong style="color:${color}">${state}</strong> <strong>${escapeHtml(e.alert)}</strong> ${badge}${escapeHtml(whereText(b.events))}</div>`;
  const labels = blockLabels(b);
  const facts: [string, string][] = [];
  let body: string;
  if (b.varying === undefined) {
    body = `<div style="margin-bottom:6px">${escapeHtml(summaryOf(e))}</div>`;
    facts.push(['Value', `<strong>${escapeHtml(valueText(e))}</strong> (threshold ${escapeHtml(thresholdText(e))})`], ['When', escapeHtml(timeLine(e))]);
  } else {
    const rows = b.events
      .map((x) => {
        const link = alertLinks(externalUrl, x.fingerprint);
        const name = escapeHtml(varyingText(b, x));
        return `<tr><td style="${CELL}">${link ? `<a href="${escapeHtml(link.alert)}">${name}</a>` : name}</td><td style="${CELL}"><strong>${escapeHtml(valueText(x))}</strong></td><td style="${CELL};color:#666">${escapeHtml(rowTime(x))}</td><td style="${CELL}">${escapeHtml(summaryOf(x))}</td></tr>`;
      })
      .join('');
    body = `<div style="margin-bottom:6px">${b.events.length} alerts by <strong>${escapeHtml(b.varying)}</strong></div><table cellspacing="0" cellpadding="0" style="font-size:14px;margin-bottom:6px">${rows}</table>`;
    facts.push(['Threshold', escapeHtml(thresholdText(e))], ['When', escapeHtml(timeLine(e))]);
  }
  if (labels.length) facts.push(['Labels', labelCodes(labels)]);
  const description = b.varying === undefined ? e.annotations.description : commonEntries(b.events.map((x) => x.annotations)).description;
  if (description) facts.push(['Description', escapeHtml(description)]);
  const table = `<table cellspacing="0" cellpadding="0" style="font-size:14px">${facts.map(([k, v]) => `<tr><td style="${KEY}">${k}</td><td style="${CELL}">${v}</td></tr>`).join('')}</table>`;
  return [
    `<tr><td style="padding:12px 16px;border-top:1px solid #e6e8eb;border-left:5px solid ${color}">`,
    heading,
    body,
    table,
    b.varying === undefined ? linkButtons(externalUrl, e.fingerprint) : '',
    `</td></tr>`,
  ].join('');
}

/** emailHtml from rows already formatted. */
export function emailHtmlOf(events: readonly AlertEvent[], rows: readonly string[], externalUrl?: string, shownAlerts = events.length): string {
  const head = events.some((e) => e.kind === 'firing') ? colorOf(forPeople(events)[0]!) : COLORS.resolved!;
  const hidden = events.length - shownAlerts;
  const footer = [
    ...(hidden > 0 ? [`…and ${hidden} more alerts`] : []),
    `Sent by prodpulse${externalUrl ? ` · <a href="${escapeHtml(externalUrl)}" style="color:#1e5bb8">${escapeHtml(externalUrl)}</a>` : ''}`,
  ].join('<br>');
  return (
    `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title(events))}</title></head>` +
    `<body style="margin:0;padding:16px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d1d1f">` +
    `<table width="100%" cellspacing="0" cellpadding="0" style="max-width:680px;margin:0 auto;background:#ffffff;border:1px solid #dfe2e6;border-radius:6px;border-collapse:separate">` +
    `<tr><td style="padding:14px 16px;background:${head};color:#ffffff;font-size:18px;font-weight:bold;border-radius:5px 5px 0 0">${escapeHtml(title(events))}</td></tr>\n` +
    `${rows.join('\n')}\n` +
    `<tr><td style="padding:10px 16px;border-top:1px solid #e6e8eb;font-size:12px;color:#666">${footer}</td></tr>` +
    `</table></body></html>\n`
  );
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

/** Subject, text and HTML part of the mail for a group, formatted in slices (a group of a thousand alerts must not hold the thread). */
export async function emailParts(events: readonly AlertEvent[], externalUrl: string | undefined): Promise<{ subject: string; text: string; html: string }> {
  const blocks = alertBlocksOf(events);
  const text = plainTextOf(events, await mapPaced(blocks, (b) => blockText(b, externalUrl)), externalUrl, events.length);
  const html = emailHtmlOf(events, await mapPaced(blocks, (b) => emailHtmlBlock(b, externalUrl)), externalUrl);
  return { subject: title(events), text, html };
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
      const { subject, text, html } = await emailParts(events, deps.externalUrl);
      const mail = {
        from: cfg.from,
        to: cfg.to,
        subject,
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
