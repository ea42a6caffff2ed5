// Retention by partition (migration 0027, RetentionService, docs/0035) against a real node and
// PostgreSQL: the job keeps partitions ready ahead, drops whole days past the retention in every
// table that shares them (with the day's idempotency keys and dead letters), keeps a day that still
// has pending work, and intake through REST goes on while it runs. The clock the job is given is
// moved 40 days ahead, so today and the days seeded after it are all past a 30-day retention. A
// tenant's own shorter retention deletes its old final notifications, row by row, and no one else's.
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Retention;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Storage;

public sealed class RetentionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly string[] NotificationTables = ["notifications", "notification_events", "notification_logs", "notification_outbox"];

    [Fact]
    public async Task Drops_days_past_the_retention_keeps_a_day_with_pending_work_and_intake_goes_on()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("retention");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var node = await NotiflyNode.StartAsync(connectionString, new Dictionary<string, string?>
        {
            ["Notifly:Retention:Interval"] = "1.00:00:00", // the node's own job runs once, at start
        });
        var tenant = await node.CreateTenantAsync();
        var today = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero);

        // The node's own run has made partitions a week ahead, and says so.
        await Eventually.MatchAsync(() => PartitionNamesAsync(connectionString), names => names.Contains($"notifications_p{today.AddDays(7):yyyyMMdd}"),
            Wait, "partitions a week ahead");
        using (var metrics = node.Client())
        {
            MetricsText.Value(await metrics.GetStringAsync("/metrics"), "notifly_retention_days_ahead").Should().BeGreaterThan(7);
        }

        // Today, in the migration's first partition: one sent with a key, and one scheduled an hour
        // out, whose reminder keeps the day however old it gets.
        var sent = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url, idempotencyKey: "kept-key"));
        await tenant.Http.WaitForStatusAsync(sent.RequestId, NotificationStatus.Sent, Wait);
        var scheduled = await tenant.Http.SendOkAsync(new
        {
            eventType = "user.signup",
            channels = new[] { "WEBHOOK" },
            recipient = new { webhookUrl = receiver.Url },
            payload = new { n = 1 },
            sendAt = DateTimeOffset.UtcNow.AddHours(1),
        });

        // Two later days as the node will have written them: a finished notification each, with
        // every kind of row that belongs to it.
        var days = new[] { today.AddDays(2).AddHours(12), today.AddDays(3).AddHours(12) };
        foreach (var (at, i) in days.Select((at, i) => (at, i)))
        {
            await SeedFinishedAsync(connectionString, tenant.Id, Guid.CreateVersion7(at), $"old-key-{i}", at);
        }

        var service = new RetentionService(
            node.Services.GetRequiredService<Database>(), Options.Create(new RetentionOptions()), Options.Create(new StatusWebhookOptions()),
            new ManualTimeProvider(today.AddDays(40)), NullLogger<RetentionService>.Instance);

        // Requests keep coming while the job drops partitions of the tables they write.
        using var stop = new CancellationTokenSource();
        var intake = Task.Run(async () =>
        {
            var answers = new List<int>();
            while (!stop.IsCancellationRequested)
            {
                using var response = await tenant.Http.SendAsync(Calls.Webhook(receiver.Url));
                answers.Add((int)response.StatusCode);
            }

            return answers;
        });
        var run = await Eventually.MatchAsync(() => service.RunOnceAsync(CancellationToken.None), r => r is not null, Wait,
            "the job's lock (the node's own run may hold it)");
        await stop.CancelAsync();
        var answers = await intake;

        answers.Should().NotBeEmpty().And.OnlyContain(status => status == 202, "intake goes on while partitions are detached and dropped");
        foreach (var at in days)
        {
            run!.Dropped.Should().Contain(NotificationTables.Select(t => $"{t}_p{at:yyyyMMdd}"))
                .And.Contain($"webhook_deliveries_p{at:yyyyMMdd}");
        }

        run!.Dropped.Should().NotContain(name => name.StartsWith("notification", StringComparison.Ordinal) && name.Contains("_until_"),
            "today's notifications are kept while one of them is pending");
        run.KeptPastRetention.Should().Be(1);
        run.Created.Should().Contain($"notifications_p{today.AddDays(47):yyyyMMdd}", "partitions a week ahead of the job's clock");

        var names = await PartitionNamesAsync(connectionString);
        names.Should().NotContain(days.Select(at => $"notifications_p{at:yyyyMMdd}"));
        foreach (var (table, column) in OwnedRows)
        {
            (await ScalarAsync(connectionString, $"SELECT count(*) FROM {table} WHERE {column} > $1", RetentionService.UuidFloor(today.AddDays(1))))
                .Should().Be(0, $"{table} keeps nothing of the dropped days");
        }

        (await ScalarAsync(connectionString, "SELECT count(*) FROM notification_idempotency WHERE idempotency_key = $1", "kept-key")).Should().Be(1);
        (await tenant.Http.GetNotificationAsync(scheduled.RequestId)).Notification.Status.Should().Be(NotificationStatus.Scheduled);
        using var replay = await tenant.Http.SendAsync(Calls.Webhook(receiver.Url, idempotencyKey: "kept-key"));
        (await replay.ReadAsync<NotificationAccepted>()).RequestId.Should().Be(sent.RequestId, "a kept day's keys still replay");
        (await ScalarAsync(connectionString, "SELECT count(*) FROM notifications WHERE tenant_id = $1", tenant.Id))
            .Should().Be(2 + answers.Count, "every request accepted during the run is kept");
    }

    [Fact]
    public async Task A_tenant_with_a_shorter_retention_of_its_own_loses_its_old_notifications_and_no_one_elses()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("tenant-retention");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var node = await NotiflyNode.StartAsync(connectionString, new Dictionary<string, string?>
        {
            ["Notifly:Retention:Interval"] = "1.00:00:00",
        });
        var brief = await node.CreateTenantAsync();
        var other = await node.CreateTenantAsync();

        using (var refused = await brief.Http.PutAsJsonAsync("/api/admin/settings", new { retention = new { days = 0 } }))
        {
            ((int)refused.StatusCode).Should().Be(400);
            (await refused.ProblemAsync()).GetProperty("errors").TryGetProperty("retention.days", out _).Should().BeTrue();
        }

        using (var put = await brief.Http.PutAsJsonAsync("/api/admin/settings", new { retention = new { days = 2 } }))
        {
            ((int)put.StatusCode).Should().Be(200, await put.Content.ReadAsStringAsync());
        }

        (await (await brief.Http.GetAsync("/api/admin/settings")).ReadAsync<TenantSettings>()).Retention.Should().Be(new RetentionSettings(2));

        // Three days old: a finished notification of each tenant, and one of the brief tenant's
        // that is still waiting (a reminder). Then a fresh one of the brief tenant's.
        var old = DateTimeOffset.UtcNow.AddDays(-3);
        var (briefOld, briefWaiting, otherOld) = (Guid.CreateVersion7(old), Guid.CreateVersion7(old), Guid.CreateVersion7(old));
        await SeedFinishedAsync(connectionString, brief.Id, briefOld, "brief-old", old);
        await SeedFinishedAsync(connectionString, brief.Id, briefWaiting, "brief-waiting", old);
        await SeedFinishedAsync(connectionString, other.Id, otherOld, "other-old", old);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var reminder = new NpgsqlCommand(
                "INSERT INTO reminders (grain_id, kind, tenant_id, due_at) VALUES ($1, 'notification', $2, now() + interval '1 day')", connection)
                .With(briefWaiting).With(brief.Id);
            await reminder.ExecuteNonQueryAsync();
        }

        var fresh = await brief.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await brief.Http.WaitForStatusAsync(fresh.RequestId, NotificationStatus.Sent, Wait);

        var service = new RetentionService(
            node.Services.GetRequiredService<Database>(), Options.Create(new RetentionOptions()), Options.Create(new StatusWebhookOptions()),
            TimeProvider.System, NullLogger<RetentionService>.Instance);
        var run = await Eventually.MatchAsync(() => service.RunOnceAsync(CancellationToken.None), r => r is not null, Wait,
            "the job's lock (the node's own run may hold it)");

        run!.TenantNotificationsDeleted.Should().Be(1);
        run.Dropped.Should().BeEmpty("no day is past the deployment's 30 days");
        foreach (var (table, column) in OwnedRows)
        {
            (await ScalarAsync(connectionString, $"SELECT count(*) FROM {table} WHERE {column} = $1", briefOld))
                .Should().Be(0, $"{table} keeps nothing of the brief tenant's old notification");
            (await ScalarAsync(connectionString, $"SELECT count(*) FROM {table} WHERE {column} = $1", otherOld))
                .Should().BeGreaterThan(0, $"{table} keeps the other tenant's notification of the same age");
            (await ScalarAsync(connectionString, $"SELECT count(*) FROM {table} WHERE {column} = $1", briefWaiting))
                .Should().BeGreaterThan(0, $"{table} keeps a notification still waiting, whatever its age");
        }

        (await brief.Http.GetNotificationAsync(fresh.RequestId)).Notification.Status.Should().Be(NotificationStatus.Sent);
        using var gone = await brief.Http.GetAsync($"/api/notifications/{briefOld}");
        ((int)gone.StatusCode).Should().Be(404);
    }

    // Every table holding rows of a notification, and the column naming it.
    private static readonly (string Table, string Column)[] OwnedRows =
    [
        ("notifications", "id"), ("notification_events", "notification_id"), ("notification_logs", "notification_id"),
        ("notification_outbox", "notification_id"), ("notification_idempotency", "notification_id"),
        ("failed_notifications", "notification_id"), ("webhook_deliveries", "notification_id"),
    ];

    private static async Task SeedFinishedAsync(string connectionString, Guid tenantId, Guid id, string key, DateTimeOffset at)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            WITH n AS (
                INSERT INTO notifications (id, tenant_id, correlation_id, idempotency_key, payload_hash, event_type, priority, channels,
                                           recipient, payload, status, deliveries, created_at, updated_at)
                VALUES ($1, $2, gen_random_uuid(), $3, '\x00', 'user.signup', 2, ARRAY['WEBHOOK'], '{}', '{}', 'FAILED', '[]', $4, $4)
                RETURNING id, tenant_id
            ), k AS (
                INSERT INTO notification_idempotency (tenant_id, idempotency_key, notification_id) SELECT tenant_id, $3, id FROM n
            ), e AS (
                INSERT INTO notification_events (tenant_id, notification_id, event, created_at) SELECT tenant_id, id, 'CREATED', $4 FROM n
            ), l AS (
                INSERT INTO notification_logs (tenant_id, notification_id, channel, attempt, status, error_code, created_at)
                SELECT tenant_id, id, 'WEBHOOK', 1, 'FAILED', 'HTTP_500', $4 FROM n
            ), o AS (
                INSERT INTO notification_outbox (tenant_id, notification_id, topic, event_payload, created_at, sent_at)
                SELECT tenant_id, id, 'notification.status', '{}', $4, $4 FROM n
            ), f AS (
                INSERT INTO failed_notifications (id, tenant_id, notification_id, channel, error_code, attempts, created_at, updated_at)
                SELECT gen_random_uuid(), tenant_id, id, 'WEBHOOK', 'HTTP_500', 1, $4, $4 FROM n
            )
            INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, notification_id, payload, status, created_at)
            SELECT gen_random_uuid(), tenant_id, gen_random_uuid(), gen_random_uuid(), 'notification.failed', id, '{}', 'succeeded', $4 FROM n
            """, connection).With(id).With(tenantId).With(key).With(at);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> PartitionNamesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return (await RetentionService.ListAsync(connection, CancellationToken.None)).Select(p => p.Name).ToList();
    }

    private static async Task<long> ScalarAsync<T>(string connectionString, string sql, T parameter)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection).With(parameter);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
