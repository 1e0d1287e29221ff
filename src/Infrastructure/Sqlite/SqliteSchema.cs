namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// Tables of the embedded profile: each holds the document as JSON plus the columns its queries
/// filter and sort on. Every statement is idempotent, so the script runs at each start.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>
    /// Brings a database written before datasets existed to the current schema, before <see cref="Script"/>
    /// runs: versions and upload sessions were keyed by model (<c>model_versions.model_id</c>,
    /// <c>upload_sessions.model_id</c>) and are now keyed by asset (<c>asset_versions.asset_key</c>,
    /// <c>upload_sessions.asset_key</c>). A model's asset key is its id, so the rows stay as they are;
    /// only the names change. Each step runs only while its old name is there.
    /// </summary>
    public static IEnumerable<string> Migrations(Func<string, bool> tableExists, Func<string, string, bool> columnExists)
    {
        if (tableExists("model_versions") && !tableExists("asset_versions"))
        {
            yield return "ALTER TABLE model_versions RENAME TO asset_versions;";
        }
        if (tableExists("asset_versions") && columnExists("asset_versions", "model_id"))
        {
            yield return "ALTER TABLE asset_versions RENAME COLUMN model_id TO asset_key;";
        }
        if (tableExists("upload_sessions") && columnExists("upload_sessions", "model_id"))
        {
            yield return "DROP INDEX IF EXISTS ix_upload_sessions_model; ALTER TABLE upload_sessions RENAME COLUMN model_id TO asset_key;";
        }
    }

    public const string Script = """
        CREATE TABLE IF NOT EXISTS models (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            visibility TEXT NOT NULL,
            tier TEXT NOT NULL,
            owner TEXT NOT NULL,
            status TEXT NOT NULL,
            framework TEXT NOT NULL,
            source TEXT NOT NULL,
            featured INTEGER NOT NULL,
            expires_at INTEGER NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            tags TEXT NOT NULL,
            search TEXT NOT NULL,
            etag TEXT NOT NULL,
            summary TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_models_updated ON models(updated_at, id);
        CREATE INDEX IF NOT EXISTS ix_models_created ON models(created_at, id);
        CREATE INDEX IF NOT EXISTS ix_models_owner ON models(owner, id);
        CREATE INDEX IF NOT EXISTS ix_models_type ON models(type, id);
        -- Public listings (anonymous and ordinary callers) seek straight to their audience in sort order.
        CREATE INDEX IF NOT EXISTS ix_models_audience_name ON models(visibility, tier, id);
        CREATE INDEX IF NOT EXISTS ix_models_audience_type ON models(visibility, tier, type, id);
        CREATE INDEX IF NOT EXISTS ix_models_audience_updated ON models(visibility, tier, updated_at, id);
        CREATE INDEX IF NOT EXISTS ix_models_audience_created ON models(visibility, tier, created_at, id);

        CREATE VIRTUAL TABLE IF NOT EXISTS models_search USING fts5(search, content='models', content_rowid='rowid', tokenize='trigram');
        CREATE TRIGGER IF NOT EXISTS models_search_insert AFTER INSERT ON models BEGIN
            INSERT INTO models_search(rowid, search) VALUES (new.rowid, new.search);
        END;
        CREATE TRIGGER IF NOT EXISTS models_search_delete AFTER DELETE ON models BEGIN
            INSERT INTO models_search(models_search, rowid, search) VALUES ('delete', old.rowid, old.search);
        END;
        CREATE TRIGGER IF NOT EXISTS models_search_update AFTER UPDATE OF search ON models BEGIN
            INSERT INTO models_search(models_search, rowid, search) VALUES ('delete', old.rowid, old.search);
            INSERT INTO models_search(rowid, search) VALUES (new.rowid, new.search);
        END;

        CREATE TABLE IF NOT EXISTS users (
            id TEXT PRIMARY KEY,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);

        CREATE TABLE IF NOT EXISTS work_queue (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            body TEXT NOT NULL,
            visible_at INTEGER NOT NULL,
            dequeue_count INTEGER NOT NULL DEFAULT 0,
            receipt TEXT NULL,
            inserted_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_work_queue_visible ON work_queue(visible_at, id);

        CREATE TABLE IF NOT EXISTS work_queue_poison (
            id INTEGER PRIMARY KEY,
            body TEXT NOT NULL,
            dequeue_count INTEGER NOT NULL,
            reason TEXT NOT NULL,
            inserted_at INTEGER NOT NULL,
            poisoned_at INTEGER NOT NULL);

        CREATE TABLE IF NOT EXISTS workflows (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            next_attempt_at INTEGER NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_workflows_due ON workflows(status, next_attempt_at);

        CREATE TABLE IF NOT EXISTS submissions (
            id TEXT PRIMARY KEY,
            model_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            type TEXT NOT NULL,
            state TEXT NOT NULL,
            submitter TEXT NOT NULL,
            submitted_at INTEGER NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS ux_submissions_model_revision ON submissions(model_id, revision);
        CREATE INDEX IF NOT EXISTS ix_submissions_queue ON submissions(submitted_at, id);
        -- Versions of models and datasets, by asset key (a model's id; dataset:{id} for a dataset).
        CREATE TABLE IF NOT EXISTS asset_versions (
            asset_key TEXT NOT NULL,
            id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL,
            PRIMARY KEY (asset_key, id)) WITHOUT ROWID;

        -- active_key holds the target blob key (lowercase) while the upload is unfinished: one upload per file.
        CREATE TABLE IF NOT EXISTS upload_sessions (
            id TEXT PRIMARY KEY,
            asset_key TEXT NOT NULL,
            active_key TEXT NULL UNIQUE,
            due_at INTEGER NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_upload_sessions_asset ON upload_sessions(asset_key);
        CREATE INDEX IF NOT EXISTS ix_upload_sessions_due ON upload_sessions(due_at);

        CREATE TABLE IF NOT EXISTS datasets (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            visibility TEXT NOT NULL,
            format TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            tags TEXT NOT NULL,
            search TEXT NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_datasets_owner ON datasets(owner, id);
        CREATE INDEX IF NOT EXISTS ix_datasets_status ON datasets(status, id);
        CREATE INDEX IF NOT EXISTS ix_datasets_created ON datasets(created_at, id);
        CREATE INDEX IF NOT EXISTS ix_datasets_updated ON datasets(updated_at, id);

        -- The embedded blob store's staged uploads: the layout, and which blocks arrived (with their MD5).
        CREATE TABLE IF NOT EXISTS staged_blobs (
            key TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            chunk_size INTEGER NOT NULL,
            chunk_count INTEGER NOT NULL,
            content_type TEXT NULL,
            committed INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS staged_blocks (
            key TEXT NOT NULL,
            idx INTEGER NOT NULL,
            size INTEGER NOT NULL,
            md5 BLOB NOT NULL,
            PRIMARY KEY (key, idx)) WITHOUT ROWID;

        -- The upstream sync's refresh of open pull requests; only those submissions are in the index.
        CREATE INDEX IF NOT EXISTS ix_submissions_open_pull_request ON submissions(submitted_at, id) WHERE json_extract(doc, '$.pullRequest.state') = 'open';

        CREATE TABLE IF NOT EXISTS sync_runs (
            id TEXT PRIMARY KEY,
            sequence INTEGER NOT NULL,
            status TEXT NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_sync_runs_sequence ON sync_runs(sequence);

        CREATE TABLE IF NOT EXISTS webhooks (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            active INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_webhooks_owner ON webhooks(owner, created_at, id);
        CREATE INDEX IF NOT EXISTS ix_webhooks_created ON webhooks(created_at, id);
        CREATE INDEX IF NOT EXISTS ix_webhooks_active ON webhooks(active);

        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            webhook_id TEXT NOT NULL,
            id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL,
            PRIMARY KEY (webhook_id, id)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_created ON webhook_deliveries(webhook_id, created_at, id);
        -- Personal access tokens by the SHA-256 of their secret: a request's token is one key lookup.
        CREATE TABLE IF NOT EXISTS access_tokens (
            hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_access_tokens_user ON access_tokens(user_id, created_at);

        -- Recorded calls (kept Usage:CallRetention) and their hourly and daily rollups (kept), keyed by span, start, model, version, deployment and user.
        CREATE TABLE IF NOT EXISTS usage_calls (
            id TEXT PRIMARY KEY,
            model TEXT NOT NULL,
            at INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_usage_calls_model ON usage_calls(model, at);
        CREATE INDEX IF NOT EXISTS ix_usage_calls_failed ON usage_calls(model, at) WHERE failed = 1;
        CREATE INDEX IF NOT EXISTS ix_usage_calls_at ON usage_calls(at);
        CREATE TABLE IF NOT EXISTS usage_rollups (
            key TEXT PRIMARY KEY,
            span TEXT NOT NULL,
            start INTEGER NOT NULL,
            model TEXT NOT NULL,
            user_id TEXT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_usage_rollups_model ON usage_rollups(model, span, start);
        CREATE INDEX IF NOT EXISTS ix_usage_rollups_user ON usage_rollups(user_id, span, start);
        CREATE INDEX IF NOT EXISTS ix_usage_rollups_start ON usage_rollups(span, start);
        CREATE TABLE IF NOT EXISTS model_imports (
            id TEXT PRIMARY KEY,
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_model_imports_created ON model_imports(created_at, id);
        CREATE INDEX IF NOT EXISTS ix_model_imports_created_by ON model_imports(created_by, created_at, id);

        -- Training jobs, listed newest first by creator, model or state; the local compute counts its busy slots by (compute, state).
        CREATE TABLE IF NOT EXISTS training_jobs (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            model_id TEXT NOT NULL,
            created_by TEXT NOT NULL,
            compute TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            etag TEXT NOT NULL,
            doc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_training_jobs_created ON training_jobs(created_at, id);
        CREATE INDEX IF NOT EXISTS ix_training_jobs_model ON training_jobs(model_id, created_at, id);
        CREATE INDEX IF NOT EXISTS ix_training_jobs_creator ON training_jobs(created_by, created_at, id);
        CREATE INDEX IF NOT EXISTS ix_training_jobs_slots ON training_jobs(compute, state);

        -- A job's events in sequence order, each (job, seq) once; metrics and checkpoints are read by type.
        CREATE TABLE IF NOT EXISTS training_events (
            job_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            doc TEXT NOT NULL,
            PRIMARY KEY (job_id, seq)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_training_events_type ON training_events(job_id, type, seq);
        """;
}
