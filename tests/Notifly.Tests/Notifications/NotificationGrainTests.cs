// The notification grain on Orleans' in-process test cluster over a real PostgreSQL (docs/0022):
// the turns asked for from outside the dispatcher — cancel, dead-letter retry, provider receipt —
// run through it, in the caller's tenant scope. Another tenant's caller finds nothing and changes
// nothing; the grain keeps no activation after a turn; a key revoked after the api node checked it
// is refused inside the turn, and that refusal crosses the grain call as itself. The REST endpoints
// over these calls are covered by the cancel, dead-letter and receipt tests, an api node that hosts
// no grains by TwoNodeRateLimitTests.
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Intake;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;
using Notifly.Tests.Support;
using Orleans.TestingHost;

namespace Notifly.Tests.Notifications;

public sealed class NotificationGrainTests : IAsyncLifetime
{
    private string _connectionString = "";
    private InProcessTestCluster _cluster = null!;

    private IServiceProvider Silo => _cluster.Silos[0].ServiceProvider;

    public async Task InitializeAsync() => (_cluster, _connectionString) = await GrainCluster.StartAsync("notificationgrain");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Cancel_is_a_turn_of_the_grain_and_a_second_cancel_is_refused()
    {
        var (tenant, caller) = await CreateTenantAsync();
        var id = await SubmitAsync(tenant, sendAt: DateTimeOffset.UtcNow.AddHours(1));
        var grain = _cluster.Client.GetGrain<INotificationGrain>(id);

        var cancelled = await grain.Cancel(caller, CancellationToken.None);

        cancelled.Should().Be(new NotificationTurnOutcome(true, NotificationStatus.Cancelled, null));
        (await StatusAsync(id)).Should().Be("CANCELLED");
        (await EventsAsync(id)).Should().Contain("CANCELLED");
        (await ReminderCountAsync(id)).Should().Be(0, "a cancelled notification has nothing left to wake for");
        var again = await grain.Cancel(caller, CancellationToken.None);
        again.Should().Be(new NotificationTurnOutcome(true, NotificationStatus.Cancelled, "NOT_CANCELLABLE"));
    }

    [Fact]
    public async Task The_grain_keeps_no_activation_after_its_turn()
    {
        var (tenant, _) = await CreateTenantAsync();
        var id = await SubmitAsync(tenant, sendAt: null);
        await RunAttemptAsync(id, AttemptOutcome.Success("smtp-idle"));
        var grain = _cluster.Client.GetGrain<INotificationGrain>(id);

        (await grain.Receipt(tenant, Channel.Email, "smtp-idle", ReceiptStatus.Delivered, null, CancellationToken.None)).Applied.Should().BeTrue();

        // One receipt per sent message: an activation kept for Orleans' idle time after each would
        // pile up by the hundred thousand.
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var grainId = grain.GetGrainId();
        await Eventually.MatchAsync(() => management.GetDetailedGrainStatistics(), a => a.All(s => s.GrainId != grainId),
            TimeSpan.FromSeconds(10), "the notification's grain to deactivate");
    }

    [Fact]
    public async Task Another_tenants_caller_finds_nothing_and_changes_nothing()
    {
        var (owner, _) = await CreateTenantAsync();
        var (_, stranger) = await CreateTenantAsync();
        var id = await SubmitAsync(owner, sendAt: DateTimeOffset.UtcNow.AddHours(1));

        var outcome = await _cluster.Client.GetGrain<INotificationGrain>(id).Cancel(stranger, CancellationToken.None);

        outcome.Should().Be(NotificationTurnOutcome.NotFound);
        (await StatusAsync(id)).Should().Be("SCHEDULED");
    }

    [Fact]
    public async Task A_key_revoked_after_the_api_node_checked_it_cannot_act_through_the_grain()
    {
        var (tenant, caller) = await CreateTenantAsync();
        var id = await SubmitAsync(tenant, sendAt: DateTimeOffset.UtcNow.AddHours(1));
        await using (var scope = await Silo.GetRequiredService<Database>().BeginTenantScopeAsync(tenant, null, CancellationToken.None))
        {
            (await Silo.GetRequiredService<ApiKeyService>().RevokeAsync(scope, caller.ApiKeyId!.Value, "test", CancellationToken.None))
                .Should().BeTrue();
            await scope.CommitAsync(CancellationToken.None);
        }

        var cancel = () => _cluster.Client.GetGrain<INotificationGrain>(id).Cancel(caller, CancellationToken.None);

        await cancel.Should().ThrowAsync<ApiKeyRevokedException>();
        (await StatusAsync(id)).Should().Be("SCHEDULED");
    }

    [Fact]
    public async Task A_dead_letter_retry_is_a_turn_that_reopens_the_channel_and_marks_the_entry()
    {
        var (tenant, caller) = await CreateTenantAsync();
        var id = await SubmitAsync(tenant, sendAt: null);
        await RunAttemptAsync(id, AttemptOutcome.Permanent("INVALID_RECIPIENT", "no such mailbox"));
        (await StatusAsync(id)).Should().Be("FAILED");
        var entry = await DeadLetterIdAsync(id);
        var grain = _cluster.Client.GetGrain<INotificationGrain>(id);

        var retried = await grain.RetryDeadLetter(caller, entry, CancellationToken.None);

        retried.Should().Be(new NotificationTurnOutcome(true, NotificationStatus.Retrying, null));
        (await ScalarAsync<string>("SELECT status FROM failed_notifications WHERE id = $1", entry)).Should().Be("RETRIED");
        (await ReminderCountAsync(id)).Should().Be(1, "the fresh round of attempts is due");
        var twice = await grain.RetryDeadLetter(caller, entry, CancellationToken.None);
        twice.Should().Be(NotificationTurnOutcome.NotFound, "the entry is no longer open");

        var (_, stranger) = await CreateTenantAsync();
        (await _cluster.Client.GetGrain<INotificationGrain>(id).RetryDeadLetter(stranger, entry, CancellationToken.None))
            .Should().Be(NotificationTurnOutcome.NotFound);
    }

    [Fact]
    public async Task A_receipt_is_a_turn_that_moves_a_sent_notification_to_delivered_once()
    {
        var (tenant, _) = await CreateTenantAsync();
        var id = await SubmitAsync(tenant, sendAt: null);
        await RunAttemptAsync(id, AttemptOutcome.Success("smtp-1"));
        (await StatusAsync(id)).Should().Be("SENT");
        var grain = _cluster.Client.GetGrain<INotificationGrain>(id);

        var delivered = await grain.Receipt(tenant, Channel.Email, "smtp-1", ReceiptStatus.Delivered, null, CancellationToken.None);

        delivered.Should().Be(new NotificationTurnOutcome(true, NotificationStatus.Delivered, null));
        (await StatusAsync(id)).Should().Be("DELIVERED");
        var unknown = await grain.Receipt(tenant, Channel.Email, "smtp-2", ReceiptStatus.Undelivered, "BOUNCED", CancellationToken.None);
        unknown.Applied.Should().BeFalse("the receipt names a message this notification never had");
        (await StatusAsync(id)).Should().Be("DELIVERED");
    }

    private async Task<(Guid TenantId, NotificationCaller Caller)> CreateTenantAsync()
    {
        var slug = $"t-{Guid.NewGuid():N}";
        var (tenant, key) = await Silo.GetRequiredService<TenantService>().CreateAsync(slug, slug, CancellationToken.None);
        return (tenant.Id, new NotificationCaller(tenant.Id, key.Key.Id));
    }

    private async Task<Guid> SubmitAsync(Guid tenantId, DateTimeOffset? sendAt)
    {
        const string payload = """{"order":"A-1"}""";
        var request = new ValidatedRequest("order.shipped", payload, [Channel.Email], new Recipient(Email: "ada@example.test"),
            UserId: null, Subject: "Shipped", Body: "Your order shipped.", Priority.Normal, sendAt, IdempotencyKey: null,
            SHA256.HashData(Encoding.UTF8.GetBytes(payload)));
        var outcomes = await Silo.GetRequiredService<IntakeWriter>().SubmitAsync([new IntakeItem(tenantId, null, request)], CancellationToken.None);
        return outcomes.Should().ContainSingle().Which.Should().BeOfType<IntakeOutcome.Accepted>().Which.Response.RequestId;
    }

    /// <summary>What the dispatcher does with one due notification: fire its reminder, then record the attempt's outcome.</summary>
    private async Task RunAttemptAsync(Guid id, AttemptOutcome outcome)
    {
        var store = Silo.GetRequiredService<NotificationStore>();
        var work = await store.ClaimAndFireAsync(10, 10, 10, new Dictionary<Guid, int>(), TimeSpan.FromMinutes(1), "test", CancellationToken.None);
        var attempt = work.Should().ContainSingle(w => w.NotificationId == id).Which;
        await store.RecordResultsAsync([new AttemptResult(id, attempt.Channel, attempt.Attempt, outcome, TimeSpan.FromMilliseconds(5))],
            "test", CancellationToken.None);
    }

    private Task<string?> StatusAsync(Guid id) => ScalarAsync<string>("SELECT status FROM notifications WHERE id = $1", id);

    private async Task<long> ReminderCountAsync(Guid id) =>
        (await ScalarAsync<long?>("SELECT count(*) FROM reminders WHERE grain_id = $1", id)).GetValueOrDefault();

    private async Task<Guid> DeadLetterIdAsync(Guid id) =>
        (await ScalarAsync<Guid?>("SELECT id FROM failed_notifications WHERE notification_id = $1 AND status = 'OPEN'", id))!.Value;

    private async Task<string[]> EventsAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT event FROM notification_events WHERE notification_id = $1 ORDER BY id", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        var events = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(reader.GetString(0));
        }

        return [.. events];
    }

    private async Task<T?> ScalarAsync<T>(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteScalarAsync() is T value ? value : default;
    }
}
