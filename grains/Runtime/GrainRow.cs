using System.Text.Json;
using Npgsql;
using Notifly.Grains.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Runtime;

/// <summary>Reads a NotificationGrain's state from the first columns of a <c>notifications</c> query.</summary>
internal static class GrainRow
{
    /// <summary>The columns <see cref="Read"/> expects, in order, for table alias <c>n</c>.</summary>
    public const string Columns = "n.id, n.tenant_id, n.status, n.version, n.deliveries::text, n.priority, n.retry_policy::text, n.expires_at";

    /// <summary>How many columns <see cref="Columns"/> has: a query's own columns start at this index.</summary>
    public const int Count = 8;

    public static (NotificationState State, short Priority) Read(NpgsqlDataReader reader) =>
        (new NotificationState(
            reader.GetGuid(0),
            reader.GetGuid(1),
            Wire.ParseStatus(reader.GetString(2)),
            reader.GetInt32(3),
            JsonSerializer.Deserialize<DeliveryState[]>(reader.GetString(4), Json.Options)!,
            reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<RetryPolicy>(reader.GetString(6), Json.Options),
            reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)),
         reader.GetInt16(5));
}
