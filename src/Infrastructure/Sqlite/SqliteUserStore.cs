using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>User profiles in the <c>users</c> table.</summary>
public sealed class SqliteUserStore(SqliteDatabase database) : IUserStore
{
    public Task<HubUser?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM users WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<HubUser> CreateAsync(HubUser user, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = user.Clone();
            stored.ETag = Guid.NewGuid().ToString("N");
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO users (id, etag, doc) VALUES ($id, $etag, $doc);";
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"User '{user.Id}' already exists.");
            }
            return stored;
        }, cancellationToken);

    public Task<HubUser> ReplaceAsync(HubUser user, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = user.Clone();
            stored.ETag = Guid.NewGuid().ToString("N");
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE users SET etag = $etag, doc = $doc WHERE id = $id AND etag = $if_match;";
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            if (command.ExecuteNonQuery() == 0)
            {
                using var exists = c.CreateCommand();
                exists.Transaction = tx;
                exists.CommandText = "SELECT 1 FROM users WHERE id = $id;";
                exists.Parameters.AddWithValue("$id", user.Id);
                throw exists.ExecuteScalar() is null ? new NotFoundException("User", user.Id) : new PreconditionFailedException("User", user.Id);
            }
            return stored;
        }, cancellationToken);

    public Task<Page<HubUser>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            var after = ContinuationTokens.Decode(continuationToken, "users");
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM users WHERE ($after IS NULL OR id > $after) ORDER BY id LIMIT $limit;";
            command.Parameters.AddWithValue("$after", (object?)after?.Id ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", pageSize + 1);
            var users = new List<HubUser>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                users.Add(Read(reader));
            }
            string? token = null;
            if (users.Count > pageSize)
            {
                users.RemoveAt(pageSize);
                token = ContinuationTokens.Encode("users", users[^1].Id);
            }
            return new Page<HubUser>(users, token);
        }, cancellationToken);

    private static HubUser Read(SqliteDataReader reader)
    {
        var user = JsonSerializer.Deserialize<HubUser>(reader.GetString(0), HubJson.Options)!;
        user.ETag = reader.GetString(1);
        return user;
    }

    private static void Bind(SqliteCommand command, HubUser user)
    {
        command.Parameters.AddWithValue("$id", user.Id);
        command.Parameters.AddWithValue("$etag", user.ETag);
        command.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(user, HubJson.Options));
    }
}
