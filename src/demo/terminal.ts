/**
 * The terminal channel: a webhook receiver on loopback that prints every alert notification (Alertmanager-shaped
 * JSON, as the webhook channel sends) as one line.
 */
import { createServer, type Server } from 'node:http';

interface WebhookBody {
  status?: string;
  alerts?: { status?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
}

/** `[alert firing] HIGH_CPU warning: payment CPU at 95% (> 85%)` */
export function alertLines(body: WebhookBody): string[] {
  return (body.alerts ?? []).map((a) => `[alert ${a.status ?? body.status ?? '?'}] ${a.labels?.alertname ?? '?'} ${a.labels?.severity ?? ''}: ${a.annotations?.summary ?? ''}`);
}

export async function startTerminalChannel(print: (line: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (body.length + c.length > 1_000_000) tooLarge = true;
      else body += c.toString();
    });
    req.on('end', () => {
      let parsed: WebhookBody | undefined;
      try {
        parsed = tooLarge ? undefined : (JSON.parse(body) as WebhookBody);
      } catch {
        parsed = undefined;
      }
      if (!parsed) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'JSON expected' }));
      }
      for (const l of alertLines(parsed)) print(l);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/alerts`);
    });
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
