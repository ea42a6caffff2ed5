using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using Notifly.Grains.Intake;
using Notifly.Grains.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Bench.Database;

/// <summary>
/// The PostgreSQL ceiling: IntakeBatch's own statement, parameters prepared once, fresh ids per
/// batch, nothing else. What it reaches is what the database can take of intake's rows; the gap
/// to the HTTP phases is everything above the database.
/// </summary>
public sealed class RawInsert
{
    // Taken from IntakeBatch rather than copied, so the ceiling can never drift from the real
    // statement. The HTTP phases' node runs without Kafka, so without the outbox insert.
    private static readonly string InsertSql = IntakeBatch.Statement(outbox: false);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _sql;
    private readonly bool _prepare;
    private readonly bool _keyed;
    private readonly int _size;
    private readonly Guid[] _tenantIds;
    private readonly string?[] _idempotencyKeys;
    private readonly byte[][] _hashes;
    private readonly string[] _eventTypes;
    private readonly short[] _priorities;
    private readonly string[] _channels;
    private readonly string[] _recipients;
    private readonly string?[] _nulls;
    private readonly string[] _payloads;
    private readonly string[] _statuses;
    private readonly string[] _deliveries;
    private readonly DateTimeOffset?[] _sendAts;
    private readonly Guid[] _keyIds;

    public RawInsert(NpgsqlDataSource dataSource, IReadOnlyList<IntakeItem> items, RawVariant variant)
    {
        _dataSource = dataSource;
        _sql = Sql(variant);
        _prepare = variant == RawVariant.Prepared;
        _keyed = variant is RawVariant.Keyed or RawVariant.Kafka;
        _size = items.Count;
        var now = DateTimeOffset.UtcNow;
        var requests = items.Select(i => i.Request).ToArray();
        var states = items.Select(i => NotificationState.Create(Guid.Empty, i.TenantId, i.Request.Channels, now, i.Request.SendAt)).ToArray();
        _tenantIds = items.Select(i => i.TenantId).ToArray();
        _idempotencyKeys = requests.Select(r => r.IdempotencyKey).ToArray();
        _hashes = requests.Select(r => r.PayloadHash).ToArray();
        _eventTypes = requests.Select(r => r.EventType).ToArray();
        _priorities = requests.Select(r => (short)r.Priority).ToArray();
        _channels = requests.Select(r => string.Join(',', r.Channels.Select(c => c.Name()))).ToArray();
        _recipients = requests.Select(r => JsonSerializer.Serialize(r.Recipient, Json.Options)).ToArray();
        _nulls = new string?[_size];
        _payloads = requests.Select(r => r.PayloadJson).ToArray();
        _statuses = states.Select(s => s.Status.Name()).ToArray();
        _deliveries = states.Select(s => JsonSerializer.Serialize(s.Deliveries, Json.Options)).ToArray();
        _sendAts = requests.Select(r => r.SendAt).ToArray();
        _keyIds = items.Select(i => i.ApiKeyId!.Value).ToArray();
    }

    /// <returns>Rows inserted.</returns>
    public async Task<int> WriteAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var ids = new Guid[_size];
        var correlations = new Guid[_size];
        var keys = _keyed ? new string?[_size] : _idempotencyKeys;
        for (var i = 0; i < _size; i++)
        {
            ids[i] = Guid.CreateVersion7(now);
            correlations[i] = Guid.NewGuid();
            if (_keyed)
            {
                keys[i] = ids[i].ToString(); // fresh per row, like a Kafka request's notificationId
            }
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = 0;
        await using (var command = new NpgsqlCommand(_sql, connection, transaction))
        {
            Add(command, ids);
            Add(command, _tenantIds);
            Add(command, correlations);
            Add(command, keys, NpgsqlDbType.Array | NpgsqlDbType.Text);
            Add(command, _hashes);
            Add(command, _eventTypes);
            Add(command, _priorities);
            Add(command, _channels);
            Add(command, _recipients);
            Add(command, _nulls, NpgsqlDbType.Array | NpgsqlDbType.Text);
            Add(command, _nulls, NpgsqlDbType.Array | NpgsqlDbType.Text);
            Add(command, _nulls, NpgsqlDbType.Array | NpgsqlDbType.Text);
            Add(command, _payloads);
            Add(command, _statuses);
            Add(command, _deliveries);
            Add(command, _sendAts, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz);
            Add(command, _keyIds);
            Add(command, now);
            Add(command, _nulls, NpgsqlDbType.Array | NpgsqlDbType.Text); // retry_policy: the deployment's
            Add(command, new bool[_size]); // body_html: plain text
            Add(command, _nulls, NpgsqlDbType.Array | NpgsqlDbType.Text); // template: none
            if (_prepare)
            {
                // Npgsql keeps the prepared statement on the physical connection: only the first use on each one pays.
                await command.PrepareAsync(cancellationToken);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted++;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    public static string Sql(RawVariant variant) => variant switch
    {
        RawVariant.AsIs or RawVariant.Prepared or RawVariant.Keyed => InsertSql,
        RawVariant.Kafka => IntakeBatch.Statement(outbox: true),
        RawVariant.NoNotify => Replace(InsertSql, @"pg_notify\('[^']*', ''\)", "NULL"),
        RawVariant.NoKeyCheck => Replace(InsertSql, @"WHERE EXISTS \(SELECT 1 FROM tenants.*?revoked_at IS NULL\)\)", ""),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    private static string Replace(string sql, string pattern, string replacement)
    {
        var changed = Regex.Replace(sql, pattern, replacement, RegexOptions.Singleline);
        return changed != sql ? changed : throw new InvalidOperationException(
            $"IntakeBatch.InsertSql no longer contains /{pattern}/: update the benchmark's --raw-sql variants");
    }

    private static void Add<T>(NpgsqlCommand command, T value, NpgsqlDbType? type = null)
    {
        var parameter = new NpgsqlParameter<T> { TypedValue = value };
        if (type is { } t)
        {
            parameter.NpgsqlDbType = t;
        }

        command.Parameters.Add(parameter);
    }
}
