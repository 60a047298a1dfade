import { DatabaseSync } from 'node:sqlite';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The embedded SQLite database, with its migrations applied. */
export interface Db {
  readonly sql: DatabaseSync;
  readonly path: string;
  /** runs fn inside BEGIN IMMEDIATE … COMMIT (nested calls join the outer transaction) */
  tx<T>(fn: () => T): T;
  close(): void;
}

export interface OpenOptions {
  /** directory of NNN-name.sql files; default: src/store/migrations next to this file */
  migrationsDir?: string;
  /** busy timeout in ms (another connection holding the write lock); default 5000 */
  busyTimeoutMs?: number;
}

const DEFAULT_MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_FILE = /^(\d+)-[\w.-]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Lists NNN-name.sql files in version order; a duplicate version is an error. */
export function readMigrations(dir: string = DEFAULT_MIGRATIONS): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir)) {
    const m = MIGRATION_FILE.exec(file);
    if (!m) continue;
    out.push({ version: Number(m[1]), name: file, sql: readFileSync(join(dir, file), 'utf8') });
  }
  out.sort((a, b) => a.version - b.version);
  for (let i = 1; i < out.length; i++)
    if (out[i]!.version === out[i - 1]!.version) throw new Error(`duplicate migration version ${out[i]!.version}: ${out[i - 1]!.name}, ${out[i]!.name}`);
  return out;
}

/** A storage file that cannot be used, said in one line naming the path and the reason. */
export class StorageError extends Error {
  override name = 'StorageError';
}

/**
 * mkdir -p, one component at a time. (Node's recursive mkdirSync never returns for a path under /proc: it keeps
 * retrying the ENOENT procfs answers.)
 */
function ensureDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw new StorageError(`${d} is not a directory`);
      break;
    } catch (err) {
      if (err instanceof StorageError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.unshift(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing) mkdirSync(d);
}

/** Why SQLite could not open or initialise `path`, in words a person can act on. */
function storageReason(path: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException & { errstr?: string };
  const msg = e?.message ?? String(err);
  if (/not a database/i.test(msg)) return 'the file exists but is not an SQLite database';
  if (/database or disk is full|SQLITE_FULL/i.test(msg) || e?.code === 'ENOSPC') return 'the disk is full';
  if (/readonly|read-only/i.test(msg) || e?.code === 'EROFS') return 'the file or its directory is read-only';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `permission denied (${e.code})`;
  if (/unable to open database file|disk I\/O error/i.test(msg)) {
    try {
      accessSync(dirname(path), constants.W_OK);
    } catch (a) {
      return `the directory ${dirname(path)} is not writable (${(a as NodeJS.ErrnoException).code})`;
    }
    return `SQLite cannot open it there (${msg}); use a regular file on a local, writable filesystem`;
  }
  return msg.split('\n')[0] ?? msg;
}

/**
 * Opens (creating if needed) the database at path, in WAL mode, and applies pending migrations in order.
 * Any failure is a StorageError: `storage.path "PATH": REASON`.
 */
export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  try {
    return openDatabaseOrThrow(path, opts);
  } catch (err) {
    if (err instanceof StorageError && err.message.startsWith('storage.path')) throw err;
    throw new StorageError(`storage.path "${path}": ${err instanceof StorageError ? err.message : storageReason(path, err)}`, { cause: err });
  }
}

function openDatabaseOrThrow(path: string, opts: OpenOptions): Db {
  const memory = path === ':memory:';
  if (!memory) ensureDir(dirname(path));
  const sql = new DatabaseSync(path, { timeout: opts.busyTimeoutMs ?? 5000, enableForeignKeyConstraints: true });
  try {
    sql.exec(`PRAGMA busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`);
    if (!memory) sql.exec('PRAGMA journal_mode = WAL');
    sql.exec('PRAGMA synchronous = NORMAL');
    // checkpoint every ~400 kB of WAL instead of SQLite's default ~4 MB: a checkpoint runs inside the COMMIT that
    // crosses the threshold, on the thread that serves /metrics; 1 000 pages cost 8–11 ms there, 100 pages ≤ 2.6 ms
    // (bench/README.md, "SQLite checkpoints")
    if (!memory) sql.exec('PRAGMA wal_autocheckpoint = 100');
    sql.exec('PRAGMA foreign_keys = ON');
  } catch (err) {
    sql.close();
    throw err;
  }

  const tx = <T>(fn: () => T): T => {
    if (sql.isTransaction) return fn();
    sql.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      sql.exec('COMMIT');
      return result;
    } catch (err) {
      if (sql.isTransaction) sql.exec('ROLLBACK');
      throw err;
    }
  };

  const db: Db = { sql, path, tx, close: () => sql.isOpen && sql.close() };
  try {
    migrate(db, readMigrations(opts.migrationsDir));
  } catch (err) {
    sql.close();
    throw err;
  }
  return db;
}

/** Applies every migration whose version is not yet in schema_migrations, each in its own transaction. */
export function migrate(db: Db, migrations: Migration[]): number[] {
  db.sql.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(appliedVersions(db));
  const done: number[] = [];
  const record = db.sql.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    try {
      db.tx(() => {
        db.sql.exec(m.sql);
        record.run(m.version, m.name, Date.now());
      });
    } catch (err) {
      throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
    done.push(m.version);
  }
  return done;
}

export function appliedVersions(db: Db): number[] {
  return db.sql
    .prepare('SELECT version FROM schema_migrations ORDER BY version')
    .all()
    .map((r) => Number(r.version));
}
