using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Personal access tokens in the <c>access_tokens</c> table, keyed by their hash.</summary>
public sealed class SqliteAccessTokenStore(SqliteDatabase database) : IAccessTokenStore
{
    public Task<AccessToken> CreateAsync(AccessToken token, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO access_tokens (hash, user_id, created_at, doc) VALUES ($hash, $user, $created, $doc);";
            command.Parameters.AddWithValue("$hash", token.Hash);
            command.Parameters.AddWithValue("$user", token.UserId);
            command.Parameters.AddWithValue("$created", SqliteDatabase.SortKey(token.CreatedAt));
            command.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(token, HubJson.Options));
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"Access token '{token.Id}' already exists.");
            }
            return token;
        }, cancellationToken);

    public Task<AccessToken?> FindByHashAsync(string hash, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc FROM access_tokens WHERE hash = $hash;";
            command.Parameters.AddWithValue("$hash", hash);
            return command.ExecuteScalar() is string doc ? JsonSerializer.Deserialize<AccessToken>(doc, HubJson.Options) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<AccessToken>> ListByUserAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<AccessToken>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc FROM access_tokens WHERE user_id = $user ORDER BY created_at DESC, hash;";
            command.Parameters.AddWithValue("$user", userId);
            using var reader = command.ExecuteReader();
            var tokens = new List<AccessToken>();
            while (reader.Read())
            {
                tokens.Add(JsonSerializer.Deserialize<AccessToken>(reader.GetString(0), HubJson.Options)!);
            }
            return tokens;
        }, cancellationToken);

    public Task DeleteAsync(string hash, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM access_tokens WHERE hash = $hash;";
            command.Parameters.AddWithValue("$hash", hash);
            return command.ExecuteNonQuery();
        }, cancellationToken);
}
