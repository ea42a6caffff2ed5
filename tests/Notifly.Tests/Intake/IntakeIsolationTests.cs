// The group commit below HTTP: what one item's content can do to the rest of its batch and to the
// connection it ran on. Items reach IntakeBatch directly here, past the edge's text check, as
// anything the edge does not know to refuse would. Real database, real auto-prepared statements.
// Not covered here: the edge's own refusals (EndToEnd/BadInputCorpusTests).
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Intake;
using Notifly.Grains.Kafka;
using Notifly.Grains.Kafka.Outbox;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants.Policies;
using Notifly.Tests.Support;

namespace Notifly.Tests.Intake;

public class IntakeIsolationTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    // Regression: a NUL in a text parameter is refused by PostgreSQL at Bind. When that Bind was
    // the one auto-preparing the statement, Npgsql had already recorded it as prepared (at
    // ParseComplete) without its row description, so the next run of the statement on that
    // connection failed with "Received unexpected backend message DataRow" — for whoever got the
    // connection next, any tenant. One connection in the pool makes "next" certain.
    [Fact]
    public async Task A_batch_failing_at_bind_leaves_no_broken_connection_behind()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var dataSource = NotiflyDataSource.Create(fixture.ConnectionString + ";Maximum Pool Size=1");
        var batch = Batch(new Database(dataSource));

        // The statement's first run; the second (the poisoned one) is the run that prepares it.
        (await batch.WriteAsync([Item(tenant.Id, "fine")], CancellationToken.None)).Single().Should().BeOfType<IntakeOutcome.Accepted>();
        (await batch.WriteAsync([Item(tenant.Id, "a\0b")], CancellationToken.None)).Single().Should().BeOfType<IntakeOutcome.Invalid>();

        for (var i = 0; i < 5; i++)
        {
            (await batch.WriteAsync([Item(tenant.Id, $"fine {i}")], CancellationToken.None))
                .Single().Should().BeOfType<IntakeOutcome.Accepted>($"write {i} after the refused one runs on a sound connection");
        }
    }

    [Fact]
    public async Task One_poison_item_among_999_valid_ones_is_refused_alone()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        var items = Enumerable.Range(0, 1000)
            .Select(i => i == 613 ? Item(tenant.Id, "poison \0 subject") : Item(i % 2 == 0 ? tenant.Id : other.Id, $"subject {i}"))
            .ToArray();

        var outcomes = await fixture.Node.Services.GetRequiredService<IntakeBatch>().WriteAsync(items, CancellationToken.None);

        outcomes[613].Should().BeOfType<IntakeOutcome.Invalid>().Which.Message.Should().Contain("cannot be stored");
        outcomes.Where((_, i) => i != 613).Should().AllBeOfType<IntakeOutcome.Accepted>();
        (await tenant.Http.ListAllIdsAsync()).Should().HaveCount(500, "the tenant's 500 valid items, not the poison");
        (await other.Http.ListAllIdsAsync()).Should().HaveCount(499);
    }

    [Fact]
    public async Task Items_sharing_an_idempotency_key_keep_one_answer_when_the_batch_is_split()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var items = new[]
        {
            Item(tenant.Id, "same", "key-1"), Item(tenant.Id, "x\0", "key-2"), Item(tenant.Id, "same", "key-1"), Item(tenant.Id, "other", "key-1"),
        };

        var outcomes = await fixture.Node.Services.GetRequiredService<IntakeBatch>().WriteAsync(items, CancellationToken.None);

        var first = outcomes[0].Should().BeOfType<IntakeOutcome.Accepted>().Subject;
        outcomes[1].Should().BeOfType<IntakeOutcome.Invalid>();
        outcomes[2].Should().BeOfType<IntakeOutcome.Accepted>().Which.Response.RequestId.Should().Be(first.Response.RequestId);
        outcomes[3].Should().BeOfType<IntakeOutcome.Conflict>().Which.ExistingRequestId.Should().Be(first.Response.RequestId);
    }

    private IntakeBatch Batch(Database database)
    {
        var services = fixture.Node.Services;
        return new IntakeBatch(database, TimeProvider.System, services.GetRequiredService<IOptions<KafkaOptions>>(),
            services.GetRequiredService<OutboxSignal>(), services.GetRequiredService<TenantPolicyCache>(),
            services.GetRequiredService<StatusWebhookPresence>(), services.GetRequiredService<StatusWebhookSignal>());
    }

    private static IntakeItem Item(Guid tenantId, string subject, string? idempotencyKey = null)
    {
        using var payload = JsonDocument.Parse("{\"n\":1}");
        var request = new SendNotificationRequest("isolation.test", payload.RootElement.Clone(), [Channel.Webhook],
            new Recipient(WebhookUrl: "http://127.0.0.1:9/"), Subject: subject, IdempotencyKey: idempotencyKey);
        var validation = RequestValidator.Validate(request, null, new HashSet<Channel> { Channel.Webhook }, DateTimeOffset.UtcNow);
        return new IntakeItem(tenantId, null, validation.Request!); // as Kafka submits: no API key to re-check
    }
}
