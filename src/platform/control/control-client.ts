/**
 * The `kirikae` side of the control channel (control-server.ts): one operation, its progress
 * reports as they come, and its result — or the running system's refusal, rethrown here with the
 * same code and text, so the command reports it exactly as if it had run the operation itself.
 */
import { Refusal, type RefusalDetail } from '../../domain/refusal.ts';
import type { ControlChannel } from './control-server.ts';

export async function callControl(channel: ControlChannel, operation: string, input: unknown, onProgress?: (report: unknown) => void): Promise<unknown> {
  const response = await fetch(`${channel.url}/v1/${operation}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${channel.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input ?? {}),
  }).catch((error: Error) => {
    throw new Error(
      `could not reach the running system's control channel at ${channel.url} (${(error.cause as Error | undefined)?.message ?? error.message}); is it stopping?`,
    );
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`the running system's control channel answered ${response.status} ${(await response.text()).trim()}`);
  }
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      if (newline === 0) {
        buffered = buffered.slice(1); // the server's keep-alive
        continue;
      }
      const line = JSON.parse(buffered.slice(0, newline)) as { progress?: unknown; result?: unknown; refusal?: RefusalDetail; error?: string };
      buffered = buffered.slice(newline + 1);
      if ('progress' in line) onProgress?.(line.progress);
      else if ('result' in line) return line.result;
      else if (line.refusal) throw refusalOf(line.refusal);
      else throw new Error(`the running system: ${line.error}`);
    }
  }
  throw new Error('the running system ended the answer early');
}

/** The running system's refusal, with its text as the system formatted it. */
function refusalOf(detail: RefusalDetail): Refusal {
  const refusal = new Refusal(detail.code, detail.field === undefined ? {} : { field: detail.field });
  Object.defineProperty(refusal, 'text', { value: detail.text });
  refusal.message = `${detail.code}: ${detail.text}`;
  return refusal;
}
