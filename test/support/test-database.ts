import pg from 'pg';

/** A database of the test run's own on the shared server; its name is `[a-z0-9_]` only. */
export interface TestDatabase {
  name: string;
  url: string;
}

export async function createTestDatabase(adminUrl: string, name: string): Promise<TestDatabase> {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`bad test database name ${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropTestDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
