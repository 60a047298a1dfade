/** The thread that runs bcrypt for basic auth (src/http/password-verifier.ts), so a flood of logins never blocks /metrics. */
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

export type ToBcrypt = { id: number; pass: string; hash: string };
export type FromBcrypt = { id: number; ok: boolean };

parentPort?.on('message', (m: ToBcrypt) => {
  let ok = false;
  try {
    ok = bcrypt.compareSync(m.pass, m.hash);
  } catch {
    ok = false;
  }
  parentPort?.postMessage({ id: m.id, ok } satisfies FromBcrypt);
});
