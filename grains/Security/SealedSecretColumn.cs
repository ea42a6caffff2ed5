using System.Security.Cryptography;
using Npgsql;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Security;

/// <summary>
/// A bytea column of sealed secrets whose rows are keyed by a uuid <c>id</c>, with the associated
/// data <c>{<see cref="Purpose"/>}:{id}</c>. Knows how to re-seal its rows under the active key.
/// Tables and columns are compile-time constants of ours, never input.
/// </summary>
public sealed record SealedSecretColumn(string Table, string Column, string Purpose)
{
    public string AssociatedData(Guid id) => $"{Purpose}:{id:D}";

    /// <summary>
    /// Re-seals every value not under the active key. Runs as the system role (all tenants);
    /// the update is conditional on the old value, so two nodes doing this at once do no harm.
    /// A value whose key is gone is left alone and counted in <c>unreadable</c>.
    /// </summary>
    public async Task<(int Rewrapped, int Unreadable)> RewrapAsync(Database database, SecretBox box, CancellationToken cancellationToken)
    {
        var stale = new List<(Guid Id, byte[] Value)>();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var select = new NpgsqlCommand($"SELECT id, {Column} FROM {Table} WHERE {Column} IS NOT NULL", connection))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var value = reader.GetFieldValue<byte[]>(1);
                if (box.NeedsRewrap(value))
                {
                    stale.Add((reader.GetGuid(0), value));
                }
            }
        }

        var (rewrapped, unreadable) = (0, 0);
        foreach (var (id, value) in stale)
        {
            string clear;
            try
            {
                clear = box.Open(value, AssociatedData(id));
            }
            catch (CryptographicException)
            {
                unreadable++;
                continue;
            }

            await using var update = new NpgsqlCommand($"UPDATE {Table} SET {Column} = $1 WHERE id = $2 AND {Column} = $3", connection)
                .With(box.Seal(clear, AssociatedData(id))).With(id).With(value);
            rewrapped += await update.ExecuteNonQueryAsync(cancellationToken);
        }

        return (rewrapped, unreadable);
    }
}
