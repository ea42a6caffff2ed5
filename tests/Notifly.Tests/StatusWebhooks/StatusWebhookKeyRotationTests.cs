// Master-key rotation (docs/0015) reaches status-webhook secrets: a node started with a new
// active key re-seals both the endpoint's secret and its rotated-out previous secret, and calls
// keep verifying with the secrets the tenant was given. Re-sealing itself is in SecretBoxTests.
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Security;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.StatusWebhooks;

public class StatusWebhookKeyRotationTests
{
    private static readonly string NewKey = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public async Task A_new_master_key_reseals_both_secrets_and_calls_still_verify()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("status_webhook_keys");
        await using var receiver = await WebhookReceiver.StartAsync();
        TestTenant tenant;
        WebhookEndpointCreated endpoint;
        WebhookSecretRotated rotated;
        await using (var before = await NotiflyNode.StartAsync(database))
        {
            tenant = await before.CreateTenantAsync();
            endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);
            rotated = await (await tenant.Http.PostAsync($"/api/webhooks/{endpoint.Endpoint.Id}/rotate-secret", null)).ReadAsync<WebhookSecretRotated>();
        }

        (await KeyIdsAsync(database, endpoint.Endpoint.Id)).Should().Equal("test-1", "test-1");
        await using var after = await NotiflyNode.StartAsync(database, new Dictionary<string, string?>
        {
            ["Notifly:Secrets:Keys:test-1"] = NotiflyNode.TestSecretsKey,
            ["Notifly:Secrets:Keys:test-2"] = NewKey,
            ["Notifly:Secrets:ActiveKey"] = "test-2",
        });
        await Eventually.MatchAsync(() => KeyIdsAsync(database, endpoint.Endpoint.Id), ids => ids.All(id => id == "test-2"),
            because: "the rewrap service re-seals both columns at start");

        await after.Client(tenant.AdminKey).PingAsync(endpoint.Endpoint.Id);
        var call = (await receiver.WaitForRequestsAsync(1, TimeSpan.FromSeconds(20))).Single();
        call.VerifiesWith(rotated.Secret, DateTimeOffset.UtcNow).Should().BeTrue();
        call.VerifiesWith(endpoint.Secret, DateTimeOffset.UtcNow).Should().BeTrue("the previous secret is still within its overlap");
    }

    private static async Task<List<string?>> KeyIdsAsync(string database, Guid endpointId)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = endpointId });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return [SecretBox.KeyIdOf(reader.GetFieldValue<byte[]>(0)), SecretBox.KeyIdOf(reader.GetFieldValue<byte[]>(1))];
    }
}
