const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** One table to watch: which changelog and channel its changes go to, and what each change carries. */
export interface CdcTriggerDefinition {
  /** `schema.table`. */
  table: string;
  /** The NOTIFY channel (a plain identifier). */
  channel: string;
  /** `schema.table` of the changelog made by {@link cdcChangelogSql}. */
  changelog: string;
  /** Primary key column, sent as `id`. Default `id`. */
  idColumn?: string;
  /** Columns whose old and new values are sent (`old` / `new`), for example a category to invalidate its tag. */
  columns?: string[];
}

/** Statements to run in a migration's `up` and `down`, in order. */
export interface MigrationSql {
  up: string[];
  down: string[];
}

/** NOTIFY payloads must stay under 8000 bytes; a larger change is sent as a stub and read from the changelog. */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7_900;

/**
 * The changelog table the CDC triggers write to: one row per changed row, with the writing
 * transaction's id (`txid`), so a listener that was disconnected can read exactly the
 * changes it has not seen (see {@link PgChangeListener}). Share one per schema.
 *
 * @example for (const sql of cdcChangelogSql('catalog.cache_invalidations').up) await queryRunner.query(sql);
 */
export function cdcChangelogSql(changelog: string): MigrationSql {
  const [schema, name] = qualifiedName('changelog', changelog);
  return {
    up: [
      `CREATE TABLE ${schema}.${name} (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel     text NOT NULL,
        txid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
        payload     jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX ${name}_channel_txid_idx ON ${schema}.${name} (channel, txid)`,
      `CREATE INDEX ${name}_created_at_idx ON ${schema}.${name} (created_at)`,
    ],
    down: [`DROP TABLE ${schema}.${name}`],
  };
}

/**
 * A trigger function and triggers so that every INSERT, UPDATE, DELETE (per row) and
 * TRUNCATE of `table`, from any client, raw SQL included, writes a changelog row and
 * NOTIFYs `channel` with `{changeId, table, op, id, old, new}` in the same transaction.
 *
 * @example
 * cdcTriggerSql({ table: 'catalog.products', channel: 'catalog_products', changelog: 'catalog.cache_invalidations', columns: ['category'] })
 */
export function cdcTriggerSql(definition: CdcTriggerDefinition): MigrationSql {
  const [schema, table] = qualifiedName('table', definition.table);
  const [changelogSchema, changelog] = qualifiedName('changelog', definition.changelog);
  const channel = identifier('channel', definition.channel);
  const idColumn = identifier('id column', definition.idColumn ?? 'id');
  const columns = (definition.columns ?? []).map((column) => identifier('column', column));
  const values = (row: 'OLD' | 'NEW') => `jsonb_build_object(${columns.map((c) => `'${c}', ${row}.${c}`).join(', ')})`;
  const fn = `${schema}.${table}_cache_invalidation`;
  const trigger = `${table}_cache_invalidation`;
  return {
    up: [
      `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        change jsonb;
        change_id bigint;
        message text;
      BEGIN
        change := jsonb_build_object('table', '${schema}.${table}', 'op', TG_OP);
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          change := change || jsonb_build_object('id', OLD.${idColumn}${columns.length ? `, 'old', ${values('OLD')}` : ''});
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          change := change || jsonb_build_object('id', NEW.${idColumn}${columns.length ? `, 'new', ${values('NEW')}` : ''});
        END IF;
        INSERT INTO ${changelogSchema}.${changelog} (channel, payload) VALUES ('${channel}', change) RETURNING id INTO change_id;
        message := (change || jsonb_build_object('changeId', change_id))::text;
        IF octet_length(message) > ${MAX_NOTIFY_PAYLOAD_BYTES} THEN
          message := jsonb_build_object('changeId', change_id, 'table', change->'table', 'op', TG_OP, 'id', change->'id', 'truncated', true)::text;
        END IF;
        PERFORM pg_notify('${channel}', message);
        RETURN NULL;
      END
      $$`,
      `CREATE TRIGGER ${trigger} AFTER INSERT OR UPDATE OR DELETE ON ${schema}.${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
      `CREATE TRIGGER ${trigger}_truncate AFTER TRUNCATE ON ${schema}.${table} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    ],
    down: [
      `DROP TRIGGER ${trigger}_truncate ON ${schema}.${table}`,
      `DROP TRIGGER ${trigger} ON ${schema}.${table}`,
      `DROP FUNCTION ${fn}()`,
    ],
  };
}

function identifier(kind: string, name: string): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`${kind} "${name}" must match ${IDENTIFIER}`);
  return name;
}

export function qualifiedName(kind: string, name: string): [schema: string, name: string] {
  const parts = name.split('.');
  if (parts.length !== 2) throw new TypeError(`${kind} "${name}" must be schema.name`);
  return [identifier(kind, parts[0]), identifier(kind, parts[1])];
}
