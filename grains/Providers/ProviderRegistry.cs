using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Observability;
using Notifly.Grains.Tenants;
using Notifly.Grains.Storage;
using Polly.CircuitBreaker;

namespace Notifly.Grains.Providers;

/// <summary>
/// Which providers a tenant's delivery on a channel goes through, in order (seed 004's selection,
/// docs/0015): the tenant's active providers of the channel by priority, lowest first; a tenant
/// with none uses the deployment's own. Per node, a tenant's providers are loaded once and kept
/// until the tenant's grain announces a change (docs/0021); a provider whose row did not change
/// keeps its slot, and with it its circuit state and concurrency limit.
/// </summary>
public sealed partial class ProviderRegistry : ITenantSettingsCache, IDisposable
{
    private readonly Database _database;
    private readonly ProviderStore _store;
    private readonly ProvidersOptions _options;
    private readonly TimeProvider _time;
    private readonly TenantWatch _watch;
    private readonly ILogger<ProviderRegistry> _logger;
    private readonly Dictionary<string, ProviderKind> _kinds;
    private readonly Dictionary<Channel, ProviderSlot[]> _deployment;
    private readonly ConcurrentDictionary<Guid, Lazy<Task<TenantProviders>>> _tenants = new();
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset UpdatedAt, ProviderSlot Slot)> _built = new();

    public ProviderRegistry(
        Database database, ProviderStore store, IEnumerable<ProviderKind> kinds, IEnumerable<IChannelSender> deploymentSenders,
        IOptions<ProvidersOptions> options, TimeProvider time, TenantWatch watch, ILogger<ProviderRegistry> logger)
    {
        _watch = watch;
        _database = database;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _kinds = kinds.ToDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);
        _deployment = deploymentSenders
            .Select((sender, i) => Slot(new ProviderIdentity(null, $"deployment-{KindOf(sender)}", KindOf(sender), i), sender))
            .GroupBy(s => s.Channel)
            .ToDictionary(g => g.Key, g => g.ToArray());
        NotiflyMetrics.TrackCircuits(this, Circuits);
    }

    public void Dispose() => NotiflyMetrics.UntrackCircuits(this);

    // Every slot with a breaker: the deployment's and the tenants' providers built on this node.
    private IEnumerable<(string Kind, bool Open)> Circuits() =>
        _deployment.Values.SelectMany(slots => slots).Concat(_built.Values.Select(b => b.Slot))
            .Where(slot => slot.HasBreaker)
            .Select(slot => (slot.Identity.Kind, slot.Circuit is CircuitState.Open or CircuitState.Isolated));

    public IReadOnlyCollection<ProviderKind> Kinds => _kinds.Values;

    public ProviderKind? Kind(string name) => _kinds.GetValueOrDefault(name);

    /// <summary>The deployment's providers of a channel: what a tenant without its own uses.</summary>
    public IReadOnlyList<ProviderSlot> Deployment(Channel channel) => _deployment.GetValueOrDefault(channel) ?? [];

    /// <summary>This node's view of a tenant provider's circuit, or null before its first use here.</summary>
    public CircuitState? CircuitOf(Guid providerId) => _built.TryGetValue(providerId, out var built) ? built.Slot.Circuit : null;

    public async ValueTask<IReadOnlyList<ProviderSlot>> ForAsync(Guid tenantId, Channel channel, CancellationToken cancellationToken)
    {
        // The load is shared by concurrent callers, so it must not be cancelled by one of them.
        var entry = _tenants.GetOrAdd(tenantId, id => new Lazy<Task<TenantProviders>>(() => LoadAsync(id)));
        TenantProviders providers;
        try
        {
            providers = await entry.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _tenants.TryRemove(new KeyValuePair<Guid, Lazy<Task<TenantProviders>>>(tenantId, entry)); // do not cache a failure
            throw;
        }

        return providers.ByChannel.TryGetValue(channel, out var own) ? own : Deployment(channel);
    }

    public void Evict(Guid tenantId) => _tenants.TryRemove(tenantId, out _);

    private async Task<TenantProviders> LoadAsync(Guid tenantId)
    {
        await _watch.EnsureAsync(tenantId, CancellationToken.None); // before the load: a later change then evicts it
        var rows = new List<ProviderRow>();
        await using (var connection = await _database.OpenAsync(CancellationToken.None))
        await using (var command = new NpgsqlCommand(
            """
            SELECT id, name, kind, channel, priority, settings::text, credentials, max_concurrency, updated_at
              FROM providers WHERE tenant_id = $1 AND is_active
             ORDER BY priority, name
            """, connection).With(tenantId))
        await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
        {
            while (await reader.ReadAsync(CancellationToken.None))
            {
                rows.Add(new ProviderRow(
                    reader.GetGuid(0), reader.GetString(1), reader.GetString(2), Wire.ParseChannel(reader.GetString(3)), reader.GetInt32(4),
                    reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6),
                    reader.IsDBNull(7) ? null : reader.GetInt32(7), reader.GetFieldValue<DateTimeOffset>(8)));
            }
        }

        if (rows.Count == 0)
        {
            return TenantProviders.None;
        }

        return new TenantProviders(rows
            .Select(row => _built.TryGetValue(row.Id, out var built) && built.UpdatedAt == row.UpdatedAt
                ? built.Slot
                : (_built[row.Id] = (row.UpdatedAt, Build(tenantId, row))).Slot)
            .GroupBy(s => s.Channel)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ProviderSlot>)g.ToArray()));
    }

    private ProviderSlot Build(Guid tenantId, ProviderRow row)
    {
        var identity = new ProviderIdentity(row.Id, row.Name, row.Kind, row.Priority);
        IChannelSender sender;
        try
        {
            var kind = Kind(row.Kind) ?? throw new InvalidOperationException($"unknown provider kind '{row.Kind}'");
            var credentials = row.Credentials is null ? null : _store.OpenCredentials(row.Id, row.Credentials);
            var config = ProviderStore.Merge(JsonNode.Parse(row.Settings)!.AsObject(), credentials);
            sender = kind.Create(new ProviderContext(row.Id, tenantId, row.Name), config);
        }
        catch (Exception e) when (e is InvalidOperationException or CryptographicException or JsonException or FormatException or ArgumentException)
        {
            // A provider that cannot be built fails every call as a provider fault, so the next
            // one takes over; the reason is logged (never the credentials) and shown to the tenant.
            LogUnusable(e, row.Id, tenantId);
            sender = new UnusableSender(row.Channel, e is CryptographicException
                ? "its credentials cannot be decrypted with the configured keys"
                : e.Message);
        }

        var limits = _options.For(row.Kind);
        if (row.MaxConcurrency is { } own && (limits.MaxConcurrency is null || own < limits.MaxConcurrency))
        {
            limits = new ProviderLimits { MaxConcurrency = own, Timeout = limits.Timeout };
        }

        return new ProviderSlot(identity, sender, limits, _options.CircuitBreaker, _time, CircuitChanged, _options.ReservedForHighPriority);
    }

    private ProviderSlot Slot(ProviderIdentity identity, IChannelSender sender) =>
        // A webhook's "provider" is each tenant's own endpoint, not one service: one tenant's dead
        // URL must not open a circuit for everybody's webhooks.
        new(identity, sender, _options.For(identity.Kind), sender.Channel == Channel.Webhook ? null : _options.CircuitBreaker, _time, CircuitChanged,
            _options.ReservedForHighPriority);

    private void CircuitChanged(ProviderIdentity provider, CircuitState state)
    {
        var name = state switch { CircuitState.Open => "open", CircuitState.HalfOpen => "half_open", _ => "closed" };
        NotiflyMetrics.ProviderCircuitTransitions.Add(1,
            new KeyValuePair<string, object?>("kind", provider.Kind), new KeyValuePair<string, object?>("state", name));
        LogCircuit(provider.Name, provider.Id, name);
    }

    /// <summary><c>SmtpEmailSender</c> → <c>smtp</c>, <c>TwilioSmsSender</c> → <c>twilio</c>, <c>WebhookSender</c> → <c>webhook</c>.</summary>
    internal static string KindOf(IChannelSender sender) => SenderSuffix().Replace(sender.GetType().Name, "").ToLowerInvariant();

    [GeneratedRegex("(Email|Sms|Push)?Sender$")]
    private static partial Regex SenderSuffix();

    [LoggerMessage(Level = LogLevel.Error, Message = "Provider {ProviderId} of tenant {TenantId} cannot be used; its calls fail over to the next provider")]
    private partial void LogUnusable(Exception ex, Guid providerId, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} ({ProviderId}): circuit {State}")]
    private partial void LogCircuit(string provider, Guid? providerId, string state);

    private sealed record ProviderRow(
        Guid Id, string Name, string Kind, Channel Channel, int Priority, string Settings, byte[]? Credentials, int? MaxConcurrency,
        DateTimeOffset UpdatedAt);

    private sealed record TenantProviders(IReadOnlyDictionary<Channel, IReadOnlyList<ProviderSlot>> ByChannel)
    {
        public static readonly TenantProviders None = new(new Dictionary<Channel, IReadOnlyList<ProviderSlot>>());
    }

    private sealed class UnusableSender(Channel channel, string reason) : IChannelSender
    {
        public Channel Channel => channel;

        public Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken) =>
            Task.FromResult(AttemptOutcome.Permanent(AttemptOutcome.AuthFailed, $"The provider is misconfigured: {reason}"));
    }
}
