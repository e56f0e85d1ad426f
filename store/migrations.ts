// Schema changes, in code so that they ship inside the bundle with the queries that
// depend on them. Append new migrations; never edit one that has been released.
import { Kysely, Migrator, sql, type Migration, type MigrationResultSet } from 'kysely';
import type { DialectName } from './database';

/** Every migration by name (tests build databases as older releases left them). */
export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('flows')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('latest_version', 'integer', (c) => c.notNull())
          .addColumn('published_version', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('flow_versions')
          .addColumn('flow_key', 'text', (c) => c.notNull().references('flows.key'))
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('definition', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('published_at', 'text')
          .addColumn('published_by', 'text')
          .addPrimaryKeyConstraint('flow_versions_pk', ['flow_key', 'version'])
          .execute();

        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('roles', 'text', (c) => c.notNull())
          .addColumn('org_unit', 'text')
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('contracts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('flow_key', 'text', (c) => c.notNull())
          .addColumn('flow_version', 'integer', (c) => c.notNull())
          .addColumn('source_key', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('title', 'text')
          .addColumn('amount', 'double precision', (c) => c.notNull())
          .addColumn('current_step', 'integer')
          .addColumn('waiting_on', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        // Not unique: the idempotent start (flow key + source key) is Temporal's workflow id,
        // and a unique index here would make a projection write fail instead of landing.
        await db.schema.createIndex('contracts_flow_source_idx').on('contracts').columns(['flow_key', 'source_key']).execute();
        await db.schema.createIndex('contracts_status_created_idx').on('contracts').columns(['status', 'created_at']).execute();
        await db.schema.createIndex('contracts_created_idx').on('contracts').columns(['created_at', 'id']).execute();

        await db.schema
          .createTable('outbox')
          .$call((t) =>
            dialect === 'postgres'
              ? t.addColumn('seq', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
              : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
          )
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('contract_id', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('outbox_recipient_idx').on('outbox').column('recipient').execute();
        await db.schema.createIndex('outbox_contract_idx').on('outbox').column('contract_id').execute();
      },
    },
    '0002_documents_and_templates': {
      async up(db: Kysely<any>) {
        // Content-addressed: a document's SHA-256 is its key, so the same bytes are stored once
        // and the hash in the evidence trail finds them.
        await db.schema
          .createTable('documents')
          .addColumn('sha256', 'text', (c) => c.primaryKey())
          .addColumn('media_type', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();

        // Templates uploaded through the API; the shipped ones live in templates/ on disk.
        await db.schema
          .createTable('templates')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('schema', 'text', (c) => c.notNull())
          .addColumn('sample', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0003_signing_keys': {
      async up(db: Kysely<any>) {
        // Wrapped (encrypted) keys and public certificates of the signing engine; never a key in clear.
        await db.schema
          .createTable('signing_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('record', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0004_connectors': {
      async up(db: Kysely<any>) {
        // Connector instances: settings in clear only where not secret; secrets sealed (store/secrets.ts).
        await db.schema
          .createTable('connectors')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('connector', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('flow', 'text', (c) => c.notNull())
          .addColumn('mapping', 'text', (c) => c.notNull())
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('secrets', 'text', (c) => c.notNull())
          .addColumn('webhook_auth', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .execute();
        // Sync cursor and health counters, one row per instance.
        await db.schema
          .createTable('connector_status')
          .addColumn('instance_id', 'text', (c) => c.primaryKey().references('connectors.id'))
          .addColumn('cursor', 'text')
          .addColumn('cursor_at', 'text')
          .addColumn('last_sync_at', 'text')
          .addColumn('last_success_at', 'text')
          .addColumn('records_read', 'integer', (c) => c.notNull())
          .addColumn('contracts_started', 'integer', (c) => c.notNull())
          .addColumn('changes_reported', 'integer', (c) => c.notNull())
          .addColumn('skipped', 'integer', (c) => c.notNull())
          .addColumn('errors', 'integer', (c) => c.notNull())
          .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
          .addColumn('last_error', 'text')
          .execute();
      },
    },
    '0005_signer_links': {
      async up(db: Kysely<any>) {
        // A signer's personal link: only the token's hash is kept, with the one-time code state.
        await db.schema
          .createTable('signer_links')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('contract_id', 'text', (c) => c.notNull())
          .addColumn('signer_id', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('otp_hash', 'text')
          .addColumn('otp_expires_at', 'text')
          .addColumn('otp_sent_at', 'text')
          .addColumn('otp_failures', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('signer_links_contract_idx').on('signer_links').columns(['contract_id', 'signer_id']).execute();
        // Pages a signer has scrolled through, recorded one by one (mustRead).
        await db.schema
          .createTable('signer_reads')
          .addColumn('token_hash', 'text', (c) => c.notNull())
          .addColumn('document_id', 'text', (c) => c.notNull())
          .addColumn('page', 'integer', (c) => c.notNull())
          .addColumn('read_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('signer_reads_pk', ['token_hash', 'document_id', 'page'])
          .execute();
      },
    },
    '0006_seals': {
      async up(db: Kysely<any>) {
        // Seal management: which users may sign with which company seal (users: string[] as JSON).
        await db.schema
          .createTable('seals')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('company', 'text', (c) => c.notNull())
          .addColumn('users', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0007_signing_limits': {
      async up(db: Kysely<any>) {
        // How often a link's code was locked by wrong guesses; at the cap the link stays locked until the sender nudges.
        await db.schema.alterTable('signer_links').addColumn('otp_lockouts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        // Codes sent per mobile number per day (China time), counted by one upsert.
        await db.schema
          .createTable('otp_sends')
          .addColumn('mobile', 'text', (c) => c.notNull())
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('otp_sends_pk', ['mobile', 'day'])
          .execute();
        // A signer's download link for their signed copy of a completed contract (token hash only).
        await db.schema
          .createTable('signer_copies')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('contract_id', 'text', (c) => c.notNull())
          .addColumn('signer_id', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0008_webhook_deliveries': {
      async up(db: Kysely<any>) {
        // Delivery ids of signed webhooks seen in the last minutes, per connector instance: a replay is refused even
        // after a restart. Rows older than the timestamp window are pruned as new ones arrive.
        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('instance_id', 'text', (c) => c.notNull())
          .addColumn('delivery_id', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('webhook_deliveries_pk', ['instance_id', 'delivery_id'])
          .execute();
        await db.schema.createIndex('webhook_deliveries_received_idx').on('webhook_deliveries').column('received_at').execute();
      },
    },
    '0009_identities': {
      async up(db: Kysely<any>) {
        // Verified identities (实名认证), reused while valid; a person by an HMAC of the ID number, never the number.
        await db.schema
          .createTable('identity_records')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('subject_key', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('level', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('provider_reference', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('id_number_hmac', 'text')
          .addColumn('mobile_masked', 'text')
          .addColumn('credit_code', 'text')
          .addColumn('legal_representative', 'text')
          .addColumn('verified_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('evidence_digest', 'text', (c) => c.notNull())
          .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
          .execute();
        await db.schema.createIndex('identity_records_subject_idx').on('identity_records').columns(['subject_key', 'level', 'expires_at']).execute();
        // Multi-step verifications in progress: tries and the window are ours to enforce, whatever the provider does.
        await db.schema
          .createTable('identity_flows')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('provider_flow_id', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('level', 'text', (c) => c.notNull())
          .addColumn('subject_key', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('step', 'text', (c) => c.notNull())
          .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('max_tries', 'integer', (c) => c.notNull())
          .addColumn('last_input_key', 'text')
          .addColumn('window_ends_at', 'text', (c) => c.notNull())
          .addColumn('details', 'text')
          .addColumn('evidence_digests', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text')
          .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Tenants, the org tree, sign-in and who may see what (issue 11). Rows from before
    // tenants belong to the tenant 'default', which the bootstrap admin administers.
    '0010_access': {
      async up(db: Kysely<any>) {
        const now = new Date().toISOString();
        await db.schema
          .createTable('tenants')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.insertInto('tenants').values({ id: 'default', name: 'Default', created_at: now }).execute();

        // A unit's path lists its ancestors and itself ('/u_group/u_branch/u_dept/'): a subtree
        // is a prefix match, answered by an index, with no recursive query.
        await db.schema
          .createTable('org_units')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('parent_id', 'text', (c) => c.references('org_units.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('org_units_path_idx').on('org_units').columns(['tenant_id', 'path']).execute();

        // users is rebuilt: its bearer token moves to api_keys (named, scoped, revocable), and
        // SQLite cannot drop a UNIQUE column in place.
        await db.schema
          .createTable('users_v2')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('login', 'text')
          .addColumn('password_hash', 'text')
          .addColumn('roles', 'text', (c) => c.notNull())
          .addColumn('org_unit', 'text')
          .addColumn('disabled_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await sql`insert into users_v2 (id, tenant_id, name, login, password_hash, roles, org_unit, disabled_at, created_at, updated_at)
                  select id, 'default', name, null, null, roles, null, null, created_at, created_at from users`.execute(db);

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          // string[] as JSON: '*' or route scopes (see server/auth).
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text')
          .addColumn('revoked_at', 'text')
          .addColumn('last_used_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('api_keys_user_idx').on('api_keys').column('user_id').execute();
        await sql`insert into api_keys (id, tenant_id, user_id, name, token_hash, scopes, expires_at, revoked_at, last_used_at, created_at, created_by)
                  select 'k_' || id, 'default', id, 'personal', token_hash, '["*"]', null, null, null, created_at, 'admin' from users`.execute(db);
        await db.schema.dropTable('users').execute();
        await db.schema.alterTable('users_v2').renameTo('users').execute();
        // Unique where set; NULLs (users without a password) never collide in either database.
        await db.schema.createIndex('users_login_idx').on('users').column('login').unique().execute();
        await db.schema.createIndex('users_tenant_idx').on('users').columns(['tenant_id', 'org_unit']).execute();

        // Browser sessions: the id is kept as its sha256, like every bearer secret.
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

        // 操作留痕: every action, who, when, from where.
        await db.schema
          .createTable('audit_events')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor_id', 'text', (c) => c.notNull())
          .addColumn('actor_name', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target_type', 'text')
          .addColumn('target_id', 'text')
          .addColumn('details', 'text')
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .execute();
        await db.schema.createIndex('audit_events_tenant_at_idx').on('audit_events').columns(['tenant_id', 'at', 'id']).execute();

        // Who a contract belongs to, and the text the ledger searches besides its title.
        await db.schema.alterTable('contracts').addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('default')).execute();
        await db.schema.alterTable('contracts').addColumn('org_unit', 'text').execute();
        await db.schema.alterTable('contracts').addColumn('unit_path', 'text').execute();
        await db.schema.alterTable('contracts').addColumn('initiator_id', 'text').execute();
        await db.schema.alterTable('contracts').addColumn('parties', 'text', (c) => c.notNull().defaultTo('')).execute();
        await db.schema.createIndex('contracts_tenant_created_idx').on('contracts').columns(['tenant_id', 'created_at', 'id']).execute();
        await db.schema.createIndex('contracts_tenant_status_idx').on('contracts').columns(['tenant_id', 'status', 'created_at', 'id']).execute();

        // What IT configures is the tenant's own too.
        for (const table of ['flows', 'flow_versions', 'templates', 'connectors', 'seals']) {
          await db.schema.alterTable(table).addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('default')).execute();
        }
      },
    },
    '0013_sign_in_failures': {
      // Failed sign-ins per login, counted in the database so that every hub process sees
      // the same count (a lockout kept in one server's memory is a lockout per server).
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('sign_in_failures')
          .addColumn('login', 'text', (c) => c.primaryKey())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('first_failed_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // What IT configures is keyed per tenant (issue 11): tenant B may name a flow, template or
    // seal as tenant A did and never learns A's exists. SQLite cannot change a primary key in
    // place, so those tables are rebuilt (new table, copy, drop, rename) on both databases: one
    // code path. Connector instances keep their global id (the webhook URL and the sync
    // workflow name it) and gain `key`, the name IT chose, unique per tenant.
    '0012_tenant_keys': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('flows_v2')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('latest_version', 'integer', (c) => c.notNull())
          .addColumn('published_version', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('flows_tenant_key_pk', ['tenant_id', 'key'])
          .execute();
        await db.schema
          .createTable('flow_versions_v2')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('flow_key', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('definition', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('published_at', 'text')
          .addColumn('published_by', 'text')
          .addPrimaryKeyConstraint('flow_versions_tenant_pk', ['tenant_id', 'flow_key', 'version'])
          .addForeignKeyConstraint('flow_versions_flow_fk', ['tenant_id', 'flow_key'], 'flows_v2', ['tenant_id', 'key'])
          .execute();
        await db.schema
          .createTable('templates_v2')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('schema', 'text', (c) => c.notNull())
          .addColumn('sample', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('templates_tenant_id_pk', ['tenant_id', 'id'])
          .execute();
        await db.schema
          .createTable('seals_v2')
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('company', 'text', (c) => c.notNull())
          .addColumn('users', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('seals_tenant_name_pk', ['tenant_id', 'name'])
          .execute();

        await sql`insert into flows_v2 (tenant_id, key, name, latest_version, published_version, created_at, updated_at)
                  select tenant_id, key, name, latest_version, published_version, created_at, updated_at from flows`.execute(db);
        await sql`insert into flow_versions_v2 (tenant_id, flow_key, version, status, name, definition, created_at, created_by, published_at, published_by)
                  select tenant_id, flow_key, version, status, name, definition, created_at, created_by, published_at, published_by from flow_versions`.execute(db);
        await sql`insert into templates_v2 (tenant_id, id, title, source, schema, sample, updated_at, updated_by)
                  select tenant_id, id, title, source, schema, sample, updated_at, updated_by from templates`.execute(db);
        await sql`insert into seals_v2 (tenant_id, name, company, users, created_at, updated_at, updated_by)
                  select tenant_id, name, company, users, created_at, updated_at, updated_by from seals`.execute(db);

        // Versions first: they reference their flow.
        for (const table of ['flow_versions', 'flows', 'templates', 'seals']) {
          await db.schema.dropTable(table).execute();
          await db.schema.alterTable(`${table}_v2`).renameTo(table).execute();
        }

        await db.schema.alterTable('connectors').addColumn('key', 'text').execute();
        // The unit a connector's contracts belong to (null: the tenant's top).
        await db.schema.alterTable('connectors').addColumn('org_unit', 'text').execute();
        await sql`update connectors set key = id`.execute(db);
        await db.schema.createIndex('connectors_tenant_key_idx').on('connectors').columns(['tenant_id', 'key']).unique().execute();
      },
    },
    '0011_ledger_search': {
      // The ledger (合同台账): search in title, parties, id and source key, Chinese substrings
      // included, its sort orders, and counts per status. store/contract-search.ts queries these.
      async up(db: Kysely<any>) {
        // Contract rows are wide (the whole state, ~2 kB): a list that checks the caller's unit,
        // a flow or an amount row by row, or a count, would read them all. This index carries
        // every column the ledger filters on, so those checks and counts read the index alone
        // (SQLite seeks the row only for a match; PostgreSQL counts with an index-only scan).
        // It starts like contracts_tenant_created_idx, which it replaces.
        await db.schema.dropIndex('contracts_tenant_created_idx').execute();
        const carried = ['status', 'flow_key', 'amount', 'unit_path', 'initiator_id', 'updated_at', 'waiting_on'];
        if (dialect === 'postgres') {
          await sql`create index contracts_ledger_idx on contracts (tenant_id, created_at, id) include (${sql.raw(carried.join(', '))})`.execute(db);
          // The same columns by id: a search's matches are joined to their contracts and counted
          // from this index alone, not from ~2 kB heap rows.
          await sql`create index contracts_id_ledger_idx on contracts (id) include (tenant_id, created_at, ${sql.raw(carried.join(', '))})`.execute(db);
        } else {
          await db.schema.createIndex('contracts_ledger_idx').on('contracts').columns(['tenant_id', 'created_at', 'id', ...carried]).execute();
        }
        await db.schema.createIndex('contracts_tenant_updated_idx').on('contracts').columns(['tenant_id', 'updated_at', 'id']).execute();
        await db.schema.createIndex('contracts_tenant_amount_idx').on('contracts').columns(['tenant_id', 'amount', 'id']).execute();

        // The search text of each contract (lower-cased title, parties, id, source key, one per
        // line) and its parties alone (for the party filter) in a narrow side table, kept by
        // triggers in step with every write of a contract, whoever makes it. Searches read this
        // table and its indexes (trigrams for 3+ characters, single characters and pairs for
        // 1–2), never the wide contract rows.
        if (dialect === 'postgres') {
          await sql`create table contract_search (contract_id text primary key references contracts (id) on delete cascade, body text not null, parties text not null)`.execute(db);
          await sql`create function contract_search_sync() returns trigger language plpgsql as $$
                    begin
                      insert into contract_search (contract_id, body, parties)
                      values (new.id, lower(coalesce(new.title, '') || E'\\n' || new.parties || E'\\n' || new.id || E'\\n' || coalesce(new.source_key, '')), lower(new.parties))
                      on conflict (contract_id) do update set body = excluded.body, parties = excluded.parties;
                      return null;
                    end $$`.execute(db);
          // Title and parties change as the contract moves (documents generated, signers planned).
          await sql`create trigger contracts_search_sync after insert or update of title, parties, source_key on contracts
                    for each row execute function contract_search_sync()`.execute(db);
          await sql`insert into contract_search (contract_id, body, parties)
                    select id, lower(coalesce(title, '') || E'\\n' || parties || E'\\n' || id || E'\\n' || coalesce(source_key, '')), lower(parties) from contracts`.execute(db);
          // pg_trgm's GIN index answers LIKE '%…%' of 3+ characters. It indexes CJK only under a
          // UTF-8 ctype (C.UTF-8, zh_CN.UTF-8…): under ctype C only ASCII letters and digits are
          // word characters, a Chinese query finds no trigram to look up, and the LIKE answers
          // correctly but by scanning. pg_trgm is a trusted extension (PostgreSQL 13+), so the
          // database owner may create it; where it is missing or refused, search scans instead
          // of failing the start-up.
          await sql`savepoint ledger_trgm`.execute(db);
          try {
            await sql`create extension if not exists pg_trgm`.execute(db);
            await sql`create index contract_search_trgm_idx on contract_search using gin (body gin_trgm_ops)`.execute(db);
            await sql`release savepoint ledger_trgm`.execute(db);
          } catch {
            await sql`rollback to savepoint ledger_trgm`.execute(db);
          }
          // 1–2 characters have no trigram, and a scan of every contract's text costs tens of
          // milliseconds at 100,000: each text's characters and character pairs, in a GIN index,
          // answer them (what pg_bigm does, in plain SQL; it needs no extension and no UTF-8 ctype).
          await sql`create function ledger_grams(body text) returns text[] language sql immutable parallel safe as $$
                      select coalesce(array_agg(distinct gram), '{}') from (
                        select substr(body, i, 1) as gram from generate_series(1, length(body)) as i
                        union all
                        select substr(body, i, 2) from generate_series(1, length(body) - 1) as i
                      ) as grams
                    $$`.execute(db);
          await sql`create index contract_search_grams_idx on contract_search using gin (ledger_grams(body))`.execute(db);
          return;
        }

        // SQLite: an integer key (contracts.rowid may change on VACUUM, this one may not) for
        // FTS5's trigram index, which keeps this table as its external content.
        await sql`create table contract_search (seq integer primary key, contract_id text not null unique, body text not null, parties text not null)`.execute(db);
        await sql`create virtual table contract_search_fts using fts5(body, content='contract_search', content_rowid='seq', tokenize='trigram')`.execute(db);
        await sql`create trigger contract_search_ai after insert on contract_search begin
                    insert into contract_search_fts (rowid, body) values (new.seq, new.body); end`.execute(db);
        await sql`create trigger contract_search_ad after delete on contract_search begin
                    insert into contract_search_fts (contract_search_fts, rowid, body) values ('delete', old.seq, old.body); end`.execute(db);
        await sql`create trigger contract_search_au after update on contract_search begin
                    insert into contract_search_fts (contract_search_fts, rowid, body) values ('delete', old.seq, old.body);
                    insert into contract_search_fts (rowid, body) values (new.seq, new.body); end`.execute(db);
        // 1–2 characters have no trigram. A second FTS5 index holds each text spelled out one
        // character per token (unicode61 with punctuation and symbols as token characters), so
        // a character is a token and two adjacent ones a phrase: both answered by the index
        // instead of a scan. Triggers cannot use WITH, so the spelling joins a table of positions
        // (texts longer than its 8,192 are spelled that far; 3+ characters find the rest).
        await sql`create table ledger_positions (i integer primary key)`.execute(db);
        for (let start = 1; start <= 8192; start += 512) {
          await sql`insert into ledger_positions (i) values ${sql.join(Array.from({ length: 512 }, (_, k) => sql`(${start + k})`))}`.execute(db);
        }
        await sql`create virtual table contract_search_chars using fts5(chars, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 0 categories 'L* N* M* P* S* Co'")`.execute(db);
        const spelled = sql.raw(`(select group_concat(substr(new.body, i, 1), ' ' order by i) from ledger_positions where i <= length(new.body))`);
        await sql`create trigger contract_search_chars_ai after insert on contract_search begin
                    insert into contract_search_chars (rowid, chars) values (new.seq, ${spelled}); end`.execute(db);
        await sql`create trigger contract_search_chars_ad after delete on contract_search begin
                    delete from contract_search_chars where rowid = old.seq; end`.execute(db);
        await sql`create trigger contract_search_chars_au after update of body on contract_search begin
                    delete from contract_search_chars where rowid = old.seq;
                    insert into contract_search_chars (rowid, chars) values (new.seq, ${spelled}); end`.execute(db);
        const body = (row: 'new' | 'contracts') =>
          sql.raw(`lower(coalesce(${row}.title, '') || char(10) || ${row}.parties || char(10) || ${row}.id || char(10) || coalesce(${row}.source_key, ''))`);
        await sql`create trigger contracts_search_ai after insert on contracts begin
                    insert into contract_search (contract_id, body, parties) values (new.id, ${body('new')}, lower(new.parties)); end`.execute(db);
        // Title and parties change as the contract moves (documents generated, signers planned).
        await sql`create trigger contracts_search_au after update of title, parties, source_key on contracts begin
                    update contract_search set body = ${body('new')}, parties = lower(new.parties) where contract_id = new.id; end`.execute(db);
        await sql`create trigger contracts_search_ad after delete on contracts begin
                    delete from contract_search where contract_id = old.id; end`.execute(db);
        await sql`insert into contract_search (contract_id, body, parties) select contracts.id, ${body('contracts')}, lower(contracts.parties) from contracts`.execute(db);
      },
    },
    // When each signer link was first opened: the console shows a signer as invited → opened → read → signed.
    '0014_signer_opened': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('signer_links').addColumn('opened_at', 'text').execute();
      },
    },
    // State a second server (or a restarted one) would otherwise miss (issue 12): token buckets of the
    // public endpoints and webhooks, and which notifications went out. Times are epoch milliseconds in a
    // double, so one upsert can compute a bucket's refill on both databases.
    '0015_shared_limits': {
      async up(db: Kysely<any>) {
        // PostgreSQL: UNLOGGED, so a take writes no WAL and waits for no fsync (one take cost ~5 ms on a
        // busy disk). A crash empties the table, which only refills every bucket: acceptable for rate limits.
        const table = db.schema.createTable('rate_limits');
        await (dialect === 'postgres' ? table.modifyFront(sql`unlogged`) : table)
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('tokens', 'double precision', (c) => c.notNull())
          .addColumn('at', 'double precision', (c) => c.notNull())
          .addColumn('granted', 'integer', (c) => c.notNull())
          .addColumn('full_at', 'double precision', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('rate_limits_full_idx').on('rate_limits').column('full_at').execute();
        await db.schema
          .createTable('notification_deliveries')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('lease_until', 'double precision', (c) => c.notNull())
          .addColumn('claimed_at', 'text', (c) => c.notNull())
          .addColumn('delivered_at', 'text')
          .execute();
        await db.schema.createIndex('notification_deliveries_claimed_idx').on('notification_deliveries').column('claimed_at').execute();
      },
    },
    // Real-name verification wired to signing (issue 13): which verified identity a contract's signer
    // proved on their link (the CA issues from that record, never from contract data), and which link
    // started a multi-step verification (no link may advance another's).
    '0016_identity_wiring': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('identity_signers')
          .addColumn('contract_id', 'text', (c) => c.notNull())
          .addColumn('signer_id', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text', (c) => c.notNull())
          .addColumn('bound_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('identity_signers_pk', ['contract_id', 'signer_id'])
          .execute();
        await db.schema.alterTable('identity_flows').addColumn('owner', 'text').execute();
      },
    },
    // Anchoring (全链路存证, store/anchors.ts): the anchors, the event hashes each one sealed, and
    // the queue of contracts written since the last anchor, filled by a trigger on every insert
    // and state write of the projection, whoever makes it. Existing contracts are queued once.
    '0017_anchors': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('anchors')
          .addColumn('seq', 'integer', (c) => c.primaryKey())
          .addColumn('root', 'text', (c) => c.notNull())
          .addColumn('leaf_count', 'integer', (c) => c.notNull())
          .addColumn('token', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
          .addColumn('tsa', 'text', (c) => c.notNull())
          .addColumn('stamped_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('anchor_leaves')
          .addColumn('anchor_seq', 'integer', (c) => c.notNull().references('anchors.seq'))
          .addColumn('leaf_index', 'integer', (c) => c.notNull())
          .addColumn('contract_id', 'text', (c) => c.notNull())
          .addColumn('event_seq', 'integer', (c) => c.notNull())
          .addColumn('event_hash', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('anchor_leaves_pk', ['anchor_seq', 'leaf_index'])
          .execute();
        await db.schema.createIndex('anchor_leaves_contract_idx').on('anchor_leaves').columns(['contract_id', 'event_seq']).execute();
        await db.schema
          .createTable('anchor_queue')
          .$call((t) =>
            dialect === 'postgres'
              ? // bigserial (a nextval default), not an identity column: a restore (store/backup.ts) moves serials past the restored rows
                t.addColumn('seq', 'bigserial', (c) => c.primaryKey())
              : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
          )
          .addColumn('contract_id', 'text', (c) => c.notNull())
          .execute();
        if (dialect === 'postgres') {
          await sql`create function anchor_queue_add() returns trigger language plpgsql as $$
                    begin insert into anchor_queue (contract_id) values (new.id); return null; end $$`.execute(db);
          await sql`create trigger contracts_anchor_queue after insert or update of state on contracts
                    for each row execute function anchor_queue_add()`.execute(db);
        } else {
          await sql`create trigger contracts_anchor_queue_ai after insert on contracts begin
                    insert into anchor_queue (contract_id) values (new.id); end`.execute(db);
          await sql`create trigger contracts_anchor_queue_au after update of state on contracts begin
                    insert into anchor_queue (contract_id) values (new.id); end`.execute(db);
        }
        await sql`insert into anchor_queue (contract_id) select id from contracts`.execute(db);
      },
    },
    // Identity providers' costs per provider and capability (store/identity-costs.ts): counted by
    // every server in one row each, not in one process's memory (issue 12 × issue 13).
    '0020_identity_costs': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('identity_costs')
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('capability', 'text', (c) => c.notNull())
          .addColumn('answered', 'bigint', (c) => c.notNull())
          .addColumn('failed', 'bigint', (c) => c.notNull())
          .addColumn('fen', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('identity_costs_pk', ['provider', 'capability'])
          .execute();
      },
    },
  };
}

/** Names of every migration, oldest first: what a current database has applied. */
export function migrationNames(dialect: DialectName): string[] {
  return Object.keys(migrations(dialect)).sort();
}

/** Runs every pending migration; a no-op when the schema is current. Throws if one fails. */
export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const provider = { getMigrations: async () => migrations(dialect) };
  const run = (target: Kysely<any>) => new Migrator({ db: target, provider }).migrateToLatest();

  let outcome: MigrationResultSet;
  if (dialect === 'postgres') {
    // Kysely takes an advisory lock and runs the migrations in one transaction.
    outcome = await run(db);
  } else {
    // Kysely's SQLite adapter neither locks nor uses a transaction, assuming one process.
    // Server and worker may start together on a fresh file, so hold SQLite's write lock
    // for the whole run: the second process waits (busy_timeout), then finds nothing to do,
    // and a failing migration leaves no half-made schema behind.
    outcome = await db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await run(conn);
        await sql.raw(result.error ? 'rollback' : 'commit').execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw error;
      }
    });
  }
  if (outcome.error) {
    const failed = outcome.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${String((outcome.error as Error)?.message ?? outcome.error)}`, {
      cause: outcome.error,
    });
  }
}
