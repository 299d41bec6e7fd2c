import { SMTPServer } from 'smtp-server';

export type ReceivedMail = {
  readonly from: string;
  readonly recipients: string[];
  readonly raw: string;
  readonly headers: Map<string, string>;
  readonly body: string;
  readonly user: string | undefined;
};

/** Undoes quoted-printable (soft breaks and =XX bytes), as a mail reader would. */
function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function parse(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.slice(split + 4);
  if (headers.get('content-transfer-encoding') === 'quoted-printable') body = decodeQuotedPrintable(body);
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

/**
 * A real SMTP server (smtp-server) on a free loopback port that keeps what it receives. Plain SMTP
 * with login allowed without TLS, as an internal relay might be; `password` is checked for `user`.
 */
export async function startSmtpSink(credentials: { user: string; password: string }) {
  const received: ReceivedMail[] = [];
  const waiters: Array<(m: ReceivedMail) => void> = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password)
        return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          recipients: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parse(raw),
          user: typeof session.user === 'string' ? session.user : undefined,
        };
        received.push(mail);
        waiters.shift()?.(mail);
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.on('error', reject);
    const net = server.listen(0, '127.0.0.1', () => {
      const addr = net.address();
      if (addr && typeof addr === 'object') resolve(addr.port);
      else reject(new Error('no port'));
    });
  });
  return {
    port,
    received,
    /** Resolves with the next mail that arrives (or the first one not yet taken). */
    nextMail(): Promise<ReceivedMail> {
      return new Promise((resolve) => waiters.push(resolve));
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
