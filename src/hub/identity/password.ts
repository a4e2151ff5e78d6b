/**
 * Passwords: the policy a new password must meet, random initial passwords, and hashing with scrypt
 * from node:crypto (memory-hard, no native addon).
 *
 * Policy (ours, in the spirit of NIST SP 800-63B and the deck's 「パスワード管理」, slide 45):
 * - 10 to 64 characters. 10 keeps a guessed password expensive even if the hashes leak; 64 is
 *   plenty for a passphrase and bounds the work one sign-in can ask of scrypt.
 * - Printable ASCII only, no spaces: the sign-in form is typed on company terminals whose IME
 *   state varies; a full-width character that looks the same would be a different password.
 * - At least 3 of the 4 kinds: upper case, lower case, digits, symbols.
 * - Must not contain the user ID (in any case), and must differ from the current password.
 *
 * Stored form, PHC-like: `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (unpadded base64). The parameters
 * travel with each hash, so raising them later only changes `passwordHashParams`: old hashes still
 * verify, and a sign-in re-hashes with the new parameters (`needsRehash`).
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { Refusal } from '../../domain/refusal.ts';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 64;
/** Initial and reset passwords: 16 characters from a 64-character alphabet: 96 bits. */
export const INITIAL_PASSWORD_LENGTH = 16;

export interface ScryptParams {
  /** log2 of N, the CPU/memory cost. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/**
 * N = 2^15, r = 8, p = 3: one of OWASP's equivalent settings to its floor of N = 2^17, r = 8, p = 1,
 * with a quarter of the memory (32 MiB a hash instead of 128 MiB), so that a burst of sign-ins on a
 * small server does not run out of memory; about 0.1–0.4 s of CPU a hash.
 */
export const passwordHashParams: ScryptParams = { ln: 15, r: 8, p: 3 };

let currentParams: ScryptParams = passwordHashParams;

/**
 * Changes the parameters new hashes are made with, for this whole process. For test processes only
 * (identity/testing.ts lowers them so that hundreds of sign-ins take seconds, not minutes); the
 * app never calls it.
 */
export function usePasswordHashParams(params: ScryptParams): void {
  currentParams = params;
  decoy = undefined;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;

export async function hashPassword(password: string, params: ScryptParams = currentParams): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/** False for a wrong password and for a stored string that is not a hash of ours. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True when the stored hash used weaker parameters than the ones new hashes are made with. */
export function needsRehash(stored: string, params: ScryptParams = currentParams): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const old = parsed.params;
  return old.ln < params.ln || old.r < params.r || old.p < params.p;
}

/**
 * A hash to verify against when the user ID is unknown, so that "no such user" takes as long as
 * "wrong password" and timing does not tell which IDs exist.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** Refuses a new password that breaks the policy above. */
export function checkPasswordPolicy(password: string, context: { userId: string; current?: string }, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new Refusal('AUTH_PASSWORD_LENGTH', { field, params: { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH } });
  }
  if (!/^[\x21-\x7e]+$/.test(password)) throw new Refusal('AUTH_PASSWORD_CHARSET', { field });
  const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) => kind.test(password)).length;
  if (kinds < 3) throw new Refusal('AUTH_PASSWORD_CLASSES', { field });
  if (password.toLowerCase().includes(context.userId.toLowerCase())) throw new Refusal('AUTH_PASSWORD_CONTAINS_USER_ID', { field });
  if (context.current !== undefined && password === context.current) throw new Refusal('AUTH_PASSWORD_REUSED', { field });
}

/** Without look-alikes (0/O, 1/l/I) because it is read off a letter or screen and typed by hand. */
const alphabet = {
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  lower: 'abcdefghijkmnopqrstuvwxyz',
  digit: '23456789',
  symbol: '#%+-=?@',
};

/** A random password that meets the policy for this user, all four kinds in it. */
export function generateInitialPassword(userId: string): string {
  const all = Object.values(alphabet).join('');
  for (;;) {
    const chars = Object.values(alphabet).map(pick);
    while (chars.length < INITIAL_PASSWORD_LENGTH) chars.push(pick(all));
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    const password = chars.join('');
    if (!password.toLowerCase().includes(userId.toLowerCase())) return password;
  }
}

function pick(from: string): string {
  return from[randomInt(from.length)]!;
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  // scrypt needs about 128·N·r bytes; node refuses more than `maxmem` (32 MiB by default).
  const maxmem = 256 * N * params.r;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, { N, r: params.r, p: params.p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!match) return null;
  const [, ln, r, p, salt, key] = match;
  const params = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (params.ln < 1 || params.ln > 22 || params.r < 1 || params.p < 1) return null;
  return { params, salt: Buffer.from(salt!, 'base64'), key: Buffer.from(key!, 'base64') };
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
