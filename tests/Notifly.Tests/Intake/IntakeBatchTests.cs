// The group-commit writer against a real database, below HTTP and below the per-node key
// cache: the key check inside the intake transaction is what stops a revoked key, whatever a
// node has cached. Covers new rows, replay, and refusal for a revoked key (new or replayed).
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Intake;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;
using Notifly.Tests.Support;

namespace Notifly.Tests.Intake;

public class IntakeBatchTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Refuses_a_revoked_key_even_a_replay_of_its_own_earlier_request()
    {
        var services = fixture.Node.Services;
        var tenant = await fixture.Node.CreateTenantAsync();
        var database = services.GetRequiredService<Database>();
        CreatedApiKey key;
        await using (var scope = await database.BeginTenantScopeAsync(tenant.Id, null, CancellationToken.None))
        {
            key = await services.GetRequiredService<ApiKeyService>().CreateAsync(scope, "doomed", ApiPrincipal.ServiceRole, "test", CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
        }

        // The principal a node authenticated before the revocation: a stale cache, in effect.
        var principal = new ApiPrincipal(tenant.Id, key.Key.Id, key.Key.Prefix, key.Key.Role);
        var batch = services.GetRequiredService<IntakeBatch>();
        var earlier = Item(principal, "k-1");

        var first = (await batch.WriteAsync([earlier], CancellationToken.None)).Single();
        var replay = (await batch.WriteAsync([Item(principal, "k-1")], CancellationToken.None)).Single();
        first.Should().BeOfType<IntakeOutcome.Accepted>().Which.Replayed.Should().BeFalse();
        replay.Should().BeOfType<IntakeOutcome.Accepted>().Which.Replayed.Should().BeTrue();

        await using (var scope = await database.BeginTenantScopeAsync(tenant.Id, null, CancellationToken.None))
        {
            (await services.GetRequiredService<ApiKeyService>().RevokeAsync(scope, key.Key.Id, "test", CancellationToken.None)).Should().BeTrue();
            await scope.CommitAsync(CancellationToken.None);
        }

        var outcomes = await batch.WriteAsync([Item(principal, "k-1"), Item(principal, "k-2"), Item(principal, null)], CancellationToken.None);
        outcomes.Should().AllBeOfType<IntakeOutcome.Unauthorized>();
        (await tenant.Http.ListAllIdsAsync()).Should().ContainSingle("nothing was stored for the revoked key");
    }

    private static IntakeItem Item(ApiPrincipal principal, string? idempotencyKey)
    {
        using var payload = JsonDocument.Parse("{\"n\":1}");
        var request = new SendNotificationRequest("batch.test", payload.RootElement.Clone(), [Channel.Webhook],
            new Recipient(WebhookUrl: "http://127.0.0.1:9/"), IdempotencyKey: idempotencyKey);
        var validation = RequestValidator.Validate(request, null, new HashSet<Channel> { Channel.Webhook }, DateTimeOffset.UtcNow);
        return IntakeItem.FromApi(principal, validation.Request!);
    }
}
