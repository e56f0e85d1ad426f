// Admin statements on the tests' PostgreSQL servers: one short-lived connection a call,
// closed whatever happens. The global setup (which runs outside the test workers, so this
// module must not use vitest's `inject`), the test databases and the Temporal cluster share it.
import pg from 'pg';

/** Runs `run` on a fresh connection to `url`, then ends the connection. */
export async function withPostgresClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates database `name` on the server, empty or as a copy of `template`. */
export async function createDatabase(serverUrl: string, name: string, options: { template?: string } = {}): Promise<void> {
  await withPostgresClient(serverUrl, (client) =>
    client.query(`create database ${client.escapeIdentifier(name)}${options.template ? ` template ${client.escapeIdentifier(options.template)}` : ''}`),
  );
}

/** Drops these databases where they exist; WITH (FORCE) also ends connections a failed test left open. */
export async function dropDatabases(serverUrl: string, ...names: string[]): Promise<void> {
  await withPostgresClient(serverUrl, async (client) => {
    for (const name of names) await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
  });
}

/** The URL of database `name` on the server at `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
