import { createServer } from 'node:http';
import { closeServer, listenLoopback, readBody } from './http-util.ts';

/** How the double answers one call: ok, Slack `ok:false`, 429 with Retry-After, or a bare HTTP status. */
export type SlackReply =
  | { kind: 'ok' }
  | { kind: 'error'; error: string }
  | { kind: 'ratelimit'; retryAfter?: string }
  | { kind: 'status'; status: number; body?: string };

export interface SlackRequest {
  method: string;
  authorization: string | undefined;
  contentType: string | undefined;
  /** form or JSON body; `blocks`/`attachments` JSON strings parsed */
  body: Record<string, unknown>;
}

export interface SlackDouble {
  /** use as slackApiUrl / api_url; ends with "/api/" */
  url: string;
  requests: SlackRequest[];
  /** queue replies for the next calls, in order; once used up, the double answers by its rules again */
  script(...replies: SlackReply[]): void;
  close(): Promise<void>;
}

export interface SlackDoubleOptions {
  /** the only bot token accepted (others get invalid_auth); any token when unset */
  token?: string;
  /** channels that exist (others get channel_not_found); any channel when unset */
  channels?: string[];
}

/** A loopback stand-in for Slack's Web API `chat.postMessage`, speaking what @slack/web-api sends and expects. */
export async function startSlackDouble(opts: SlackDoubleOptions = {}): Promise<SlackDouble> {
  const requests: SlackRequest[] = [];
  const queue: SlackReply[] = [];
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const method = (req.url ?? '').replace(/^\/api\//, '').replace(/\?.*$/, '');
    const contentType = req.headers['content-type'];
    let body: Record<string, unknown> = {};
    try {
      body = contentType?.includes('application/json') ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      body = { _raw: raw };
    }
    for (const k of ['blocks', 'attachments'])
      if (typeof body[k] === 'string') {
        try {
          body[k] = JSON.parse(body[k] as string);
        } catch {
          // keep as sent
        }
      }
    requests.push({ method, authorization: req.headers.authorization, contentType, body });
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || !req.url?.startsWith('/api/')) return json(404, { ok: false, error: 'unknown_method' });
    const reply = queue.shift();
    if (reply?.kind === 'error') return json(200, { ok: false, error: reply.error });
    if (reply?.kind === 'ratelimit') return json(429, { ok: false, error: 'ratelimited' }, reply.retryAfter === undefined ? {} : { 'retry-after': reply.retryAfter });
    if (reply?.kind === 'status') {
      res.writeHead(reply.status, { 'content-type': 'text/plain' });
      return res.end(reply.body ?? 'error');
    }
    if (method !== 'chat.postMessage') return json(200, { ok: false, error: 'unknown_method' });
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || String(body.token ?? '');
    if (!token) return json(200, { ok: false, error: 'not_authed' });
    if (opts.token !== undefined && token !== opts.token) return json(200, { ok: false, error: 'invalid_auth' });
    const channel = String(body.channel ?? '');
    if (opts.channels !== undefined && !opts.channels.includes(channel)) return json(200, { ok: false, error: 'channel_not_found' });
    if (!body.text && !body.blocks) return json(200, { ok: false, error: 'no_text' });
    return json(200, { ok: true, channel: 'C0000000001', ts: `${Math.floor(Date.now() / 1000)}.${String(requests.length).padStart(6, '0')}`, message: { text: body.text, blocks: body.blocks } });
  });
  const port = await listenLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/api/`,
    requests,
    script: (...replies) => void queue.push(...replies),
    close: () => closeServer(server),
  };
}
