import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  /** envelope as given in MAIL FROM / RCPT TO */
  from: string;
  to: string[];
  /** authenticated user */
  user: string | undefined;
  parsed: ParsedMail;
}

export type SmtpStage = 'mail' | 'rcpt' | 'data';

export interface SmtpSink {
  host: string;
  port: number;
  /** smtp://user:pass@127.0.0.1:port with the sink's credentials (URL-encoded) */
  url: string;
  messages: ReceivedMail[];
  /** answer the next `times` commands at `stage` with this SMTP code (e.g. 421, 450, 550) */
  failNext(stage: SmtpStage, code: number, message?: string, times?: number): void;
  close(): Promise<void>;
}

/** A real smtp-server on 127.0.0.1 (random port) requiring AUTH PLAIN/LOGIN; every accepted message parsed by mailparser. */
export async function startSmtpSink(creds: { user: string; pass: string }): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const failures: { stage: SmtpStage; code: number; message: string }[] = [];
  const failure = (stage: SmtpStage): Error | null => {
    const i = failures.findIndex((f) => f.stage === stage);
    if (i < 0) return null;
    const [f] = failures.splice(i, 1);
    return Object.assign(new Error(f!.message), { responseCode: f!.code });
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'], // plain loopback: nodemailer would otherwise upgrade and reject the self-signed cert
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    banner: 'prodpulse test sink',
    onAuth(auth, _session, cb) {
      if (auth.username === creds.user && auth.password === creds.pass) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(_addr, _session, cb) {
      cb(failure('mail'));
    },
    onRcptTo(_addr, _session, cb) {
      cb(failure('rcpt'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const err = failure('data');
        if (err) return cb(err);
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            messages.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              user: typeof session.user === 'string' ? session.user : undefined,
              parsed,
            });
            cb();
          },
          (e: Error) => cb(e),
        );
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
  return {
    host: '127.0.0.1',
    port,
    url: `smtp://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.pass)}@127.0.0.1:${port}`,
    messages,
    failNext: (stage, code, message = `forced ${code} by test`, times = 1) => {
      for (let i = 0; i < times; i++) failures.push({ stage, code, message });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
