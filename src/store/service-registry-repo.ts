import type { Db } from './db.ts';

/**
 * Services created through the REST API. The row holds the validated API body as JSON (the registry owns its
 * shape and re-validates it when loading), so defaults from alerts.yaml apply to the fields it left out.
 */
export interface StoredService {
  id: string;
  input: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface ServiceRegistryRepo {
  /** every stored service by id (at most `limit`, default 10 000) */
  list(limit?: number): StoredService[];
  get(id: string): StoredService | undefined;
  /** false when the id exists (nothing changed) */
  insert(id: string, input: Record<string, unknown>, now: number): boolean;
  /** creates or replaces; a replaced row keeps its created_at */
  upsert(id: string, input: Record<string, unknown>, now: number): 'created' | 'updated';
  /** false when there was no such row */
  delete(id: string): boolean;
}

type Row = Record<string, unknown>;
const toStored = (r: Row): StoredService => {
  let input: Record<string, unknown> = {};
  try {
    const v = JSON.parse(String(r.definition)) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) input = v as Record<string, unknown>;
  } catch {
    // a corrupt row loads as an empty body; the registry's validation then reports it by id
  }
  return { id: String(r.id), input, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
};

export function createServiceRegistryRepo(db: Db): ServiceRegistryRepo {
  const s = {
    list: db.sql.prepare('SELECT * FROM services ORDER BY id LIMIT ?'),
    get: db.sql.prepare('SELECT * FROM services WHERE id = ?'),
    insert: db.sql.prepare('INSERT INTO services (id, definition, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    update: db.sql.prepare('UPDATE services SET definition = ?, updated_at = ? WHERE id = ?'),
    delete: db.sql.prepare('DELETE FROM services WHERE id = ?'),
  };
  return {
    list: (limit = 10_000) => s.list.all(Math.max(1, Math.trunc(limit))).map(toStored),
    get: (id) => {
      const r = s.get.get(id);
      return r ? toStored(r) : undefined;
    },
    insert: (id, input, now) => Number(s.insert.run(id, JSON.stringify(input), now, now).changes) > 0,
    upsert: (id, input, now) =>
      db.tx(() => {
        if (Number(s.update.run(JSON.stringify(input), now, id).changes) > 0) return 'updated';
        s.insert.run(id, JSON.stringify(input), now, now);
        return 'created';
      }),
    delete: (id) => Number(s.delete.run(id).changes) > 0,
  };
}
