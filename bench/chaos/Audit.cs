using System.Diagnostics;

namespace Notifly.Chaos;

/// <summary>
/// What a fault cost, from the requests and deliveries around it. A second delivery is counted
/// against the last fault that began before it.
/// </summary>
public sealed record FaultOutcome(Fault Fault, int RestRefused, TimeSpan? CaughtUp, int SecondDeliveries);

/// <summary>
/// The audit once the load is over and the survivors have had their time: from the database and
/// the receiver, every accepted request is a notification (else lost), every one is SENT (else
/// stuck), and a notification reached the receiver more than once only if one of its attempts was
/// cut off by a kill (a LEASE_RELEASED or LEASE_EXPIRED event): delivery is at least once, and an
/// attempt the provider may have taken when its silo died is made again.
/// </summary>
public sealed class Audit
{
    public int Requests { get; private init; }

    public int RestAccepted { get; private init; }

    public int RestRefused { get; private init; }

    /// <summary>Why REST requests were refused (status code or exception), most common first.</summary>
    public IReadOnlyList<(string Reason, int Count)> RestRefusals { get; private init; } = [];

    public int KafkaAccepted { get; private init; }

    public int KafkaRefused { get; private init; }

    public int Accepted => RestAccepted + KafkaAccepted;

    public int Stored { get; private init; }

    public int Sent { get; private init; }

    public int Lost { get; private init; }

    /// <summary>Stored but not SENT when the deadline passed, with their statuses.</summary>
    public IReadOnlyDictionary<string, int> Stuck { get; private init; } = new Dictionary<string, int>();

    public int Delivered { get; private init; }

    public int NotDelivered { get; private init; }

    public int DeliveredTwiceOrMore { get; private init; }

    /// <summary>Of those, the ones with an attempt cut off by a kill: inside the at-least-once window.</summary>
    public int DuplicatesAfterCutOff { get; private init; }

    public long RemindersLeft { get; private init; }

    public long OutboxUnsent { get; private init; }

    public long ProviderRefusals { get; private init; }

    public TimeSpan Drained { get; private init; }

    /// <summary>How long each stored Kafka request took from its produce to its row, sorted.</summary>
    public IReadOnlyList<TimeSpan> KafkaStoredAfter { get; private init; } = [];

    public IReadOnlyList<FaultOutcome> Faults { get; private init; } = [];

    public int Unexplained => DeliveredTwiceOrMore - DuplicatesAfterCutOff;

    public bool Passed => Lost == 0 && Stuck.Count == 0 && NotDelivered == 0 && Unexplained == 0 && RemindersLeft == 0 && OutboxUnsent == 0
        && Faults.All(f => f.Fault.Error is null);

    public static async Task<Audit> RunAsync(
        ChaosCluster cluster, Receiver receiver, Load load, IReadOnlyList<Fault> faults, string tenantId, Stopwatch clock,
        TimeSpan deadline, CancellationToken cancellationToken)
    {
        var requests = load.Requests.ToList();
        var rest = requests.Where(r => r.Via == "REST").ToList();
        var kafka = requests.Where(r => r.Via == "Kafka").ToList();
        var kafkaAccepted = kafka.Where(r => r.Refusal is null).ToList();
        var tenant = Guid.Parse(tenantId);

        // Every accepted request's notification id, once it is stored: REST answered with it, Kafka's
        // notificationId is the idempotency key.
        var ids = new Dictionary<Guid, Request>();
        foreach (var r in rest.Where(r => r.Accepted is not null))
        {
            ids[r.Accepted!.Value] = r;
        }

        var keys = kafkaAccepted.ToDictionary(r => r.Key!);
        var drainStart = clock.Elapsed;
        Dictionary<Guid, string> statuses;
        Dictionary<Guid, DateTimeOffset> storedAt;
        while (true)
        {
            var stored = await Database.ReadAsync(cluster.ConnectionString,
                "SELECT id, status, idempotency_key, created_at FROM notifications WHERE tenant_id = $1",
                [tenant], r => (Id: r.GetGuid(0), Status: r.GetString(1), Key: r.IsDBNull(2) ? null : r.GetString(2), Created: r.GetFieldValue<DateTimeOffset>(3)),
                cancellationToken);
            storedAt = stored.ToDictionary(s => s.Id, s => s.Created);
            foreach (var row in stored.Where(s => s.Key is not null && keys.ContainsKey(s.Key)))
            {
                ids[row.Id] = keys[row.Key!];
            }

            statuses = stored.Where(s => ids.ContainsKey(s.Id)).ToDictionary(s => s.Id, s => s.Status);
            var done = statuses.Count(s => s.Value == "SENT");
            ChaosRun.Say(clock, $"audit: {statuses.Count} of {rest.Count(r => r.Accepted is not null) + kafkaAccepted.Count} accepted stored, {done} SENT");
            if ((done == statuses.Count && statuses.Count == ids.Count && ids.Count == rest.Count(r => r.Accepted is not null) + kafkaAccepted.Count)
                || clock.Elapsed - drainStart > deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        }

        var drained = clock.Elapsed - drainStart;
        // The outbox relay publishes the last status events a moment after the last turn.
        var outboxUnsent = 0L;
        for (var i = 0; i < 30; i++)
        {
            outboxUnsent = await Database.CountAsync(cluster.ConnectionString,
                "SELECT count(*) FROM notification_outbox WHERE tenant_id = $1 AND sent_at IS NULL", tenant, cancellationToken);
            if (outboxUnsent == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }

        var deliveries = receiver.Deliveries.ToDictionary(d => d.Key, d => d.Value.ToArray());
        var twice = deliveries.Where(d => d.Value.Length > 1 && ids.ContainsKey(d.Key)).Select(d => d.Key).ToArray();
        var cutOff = (await Database.ReadAsync(cluster.ConnectionString,
            "SELECT DISTINCT notification_id FROM notification_events WHERE notification_id = ANY($1) AND event IN ('LEASE_RELEASED', 'LEASE_EXPIRED')",
            [twice], r => r.GetGuid(0), cancellationToken)).ToHashSet();

        var accepted = rest.Count(r => r.Accepted is not null) + kafkaAccepted.Count;
        return new Audit
        {
            Requests = requests.Count,
            RestAccepted = rest.Count(r => r.Accepted is not null),
            RestRefused = rest.Count(r => r.Accepted is null),
            RestRefusals = rest.Where(r => r.Refusal is not null)
                .GroupBy(r => r.Refusal!.Split(" from ")[0]).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ToList(),
            KafkaAccepted = kafkaAccepted.Count,
            KafkaRefused = kafka.Count - kafkaAccepted.Count,
            Stored = statuses.Count,
            Sent = statuses.Count(s => s.Value == "SENT"),
            Lost = accepted - statuses.Count,
            Stuck = statuses.Where(s => s.Value != "SENT").GroupBy(s => s.Value).ToDictionary(g => g.Key, g => g.Count()),
            Delivered = ids.Keys.Count(deliveries.ContainsKey),
            NotDelivered = accepted - ids.Keys.Count(deliveries.ContainsKey),
            DeliveredTwiceOrMore = twice.Length,
            DuplicatesAfterCutOff = twice.Count(cutOff.Contains),
            RemindersLeft = await Database.CountAsync(cluster.ConnectionString, "SELECT count(*) FROM reminders WHERE tenant_id = $1", tenant, cancellationToken),
            OutboxUnsent = outboxUnsent,
            ProviderRefusals = receiver.Refused,
            Drained = drained,
            KafkaStoredAfter = ids.Where(i => i.Value.Via == "Kafka" && storedAt.ContainsKey(i.Key))
                .Select(i => storedAt[i.Key] - i.Value.Wall).Order().ToArray(),
            Faults = faults.Select(f => Outcome(f, rest, ids, deliveries, twice.Count(id => LastFaultBefore(faults, deliveries[id].Order().ElementAt(1)) == f))).ToList(),
        };
    }

    /// <summary>
    /// REST requests refused from the fault's start until 10 s after its end; and "caught up": how
    /// long after the fault ended every notification requested before that end, and not yet
    /// delivered when the fault began, had reached the receiver (its first arrival).
    /// </summary>
    private static FaultOutcome Outcome(
        Fault fault, List<Request> rest, Dictionary<Guid, Request> ids, Dictionary<Guid, TimeSpan[]> deliveries, int duplicates)
    {
        var refused = rest.Count(r => r.Accepted is null && r.At >= fault.Start && r.At <= fault.End + TimeSpan.FromSeconds(10));
        TimeSpan? caughtUp = TimeSpan.Zero;
        foreach (var (id, request) in ids)
        {
            if (request.At > fault.End)
            {
                continue;
            }

            if (!deliveries.TryGetValue(id, out var arrivals))
            {
                caughtUp = null; // never delivered: the audit says so
                break;
            }

            var first = arrivals.Min();
            if (first >= fault.Start && first - fault.End > caughtUp)
            {
                caughtUp = first - fault.End;
            }
        }

        return new FaultOutcome(fault, refused, caughtUp, duplicates);
    }

    private static Fault? LastFaultBefore(IReadOnlyList<Fault> faults, TimeSpan at) => faults.LastOrDefault(f => f.Start <= at);
}
