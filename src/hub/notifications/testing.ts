/**
 * Test helpers of notifications: a real SMTP server on a random local port (npm smtp-server) that
 * can be taken down and brought back up on the same port, and notification addresses.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Queryable } from '../../platform/db/db.ts';
import { setNotificationAddress } from './address.ts';

export interface ReceivedMail {
  readonly to: string[];
  readonly raw: string;
  /** The body, decoded (nodemailer sends Japanese text in base64). */
  readonly text: string;
  readonly messageId: string | undefined;
  readonly subject: string | undefined;
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  #server: SMTPServer | undefined;
  #port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  /** Listens (again, on the same port once it had one). */
  async start(): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'im').exec(raw)?.[1]?.trim();
          const split = raw.indexOf('\r\n\r\n');
          const body = split < 0 ? '' : raw.slice(split + 4);
          const text = /^Content-Transfer-Encoding: *base64/im.test(raw.slice(0, split))
            ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
            : body;
          this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, text, messageId: header('Message-ID'), subject: header('Subject') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /** Stops listening: connections are refused until `start()`. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function givenNotificationAddress(q: Queryable, companyCode: string, email: string): Promise<void> {
  await setNotificationAddress(q, { companyCode, email, at: new Date(), by: 'test' });
}
