import { createServer, type IncomingHttpHeaders } from 'node:http';
import { closeServer, listenLoopback, readBody } from './http-util.ts';

export interface WebhookRequest {
  method: string;
  /** path and query as received */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface WebhookSink {
  /** http://127.0.0.1:PORT (append any path) */
  url: string;
  requests: WebhookRequest[];
  /** answer the next calls with these statuses (then 200 again); a header map may go with each */
  script(...replies: { status: number; body?: string; headers?: Record<string, string> }[]): void;
  close(): Promise<void>;
}

/** A loopback HTTP receiver recording every request; answers 200 unless scripted otherwise. */
export async function startWebhookSink(): Promise<WebhookSink> {
  const requests: WebhookRequest[] = [];
  const queue: { status: number; body?: string; headers?: Record<string, string> }[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json });
    const reply = queue.shift() ?? { status: 200, body: 'ok' };
    res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
    res.end(reply.body ?? '');
  });
  const port = await listenLoopback(server);
  return { url: `http://127.0.0.1:${port}`, requests, script: (...r) => void queue.push(...r), close: () => closeServer(server) };
}
