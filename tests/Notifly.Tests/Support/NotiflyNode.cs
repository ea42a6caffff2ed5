using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifly.Grains.Runtime;
using Notifly.Grains.Tenants;
using Notifly.Silo.Hosting;

namespace Notifly.Tests.Support;

/// <summary>
/// A real Notifly process in the test: the production composition (NotiflyApp) on Kestrel at a
/// free loopback port, against a real PostgreSQL database. Several nodes may share a database.
/// </summary>
public sealed class NotiflyNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private NotiflyNode(WebApplication app, string baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public string BaseAddress { get; }

    /// <summary>The key sealing tenants' secrets in tests (<c>Notifly:Secrets:Keys:test-1</c>).</summary>
    public const string TestSecretsKey = "dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMTIzNDU2Nzg=";

    public IServiceProvider Services => _app.Services;

    /// <summary>The operator token every test node accepts (<c>Notifly:Operator:Tokens:0</c>).</summary>
    public const string OperatorToken = "test-operator-token-0123456789abcdef";

    /// <summary>
    /// Test defaults: fast retries, short leases; override any key through <paramref name="settings"/>,
    /// any service (a fake clock) through <paramref name="services"/>, and where it listens through <paramref name="urls"/>.
    /// </summary>
    public static async Task<NotiflyNode> StartAsync(
        string connectionString, IDictionary<string, string?>? settings = null, NotiflyRole role = NotiflyRole.All,
        Action<IServiceCollection>? services = null, string[]? urls = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Notifly"] = connectionString,
            ["Notifly:Role"] = role.ToString(),
            ["Notifly:Retry:InitialDelay"] = "00:00:00.050",
            ["Notifly:Retry:MaxDelay"] = "00:00:00.200",
            ["Notifly:Dispatch:Lease"] = "00:00:05",
            ["Notifly:Dispatch:DrainTimeout"] = "00:00:00.500",
            ["Notifly:Dispatch:PollInterval"] = "00:00:00.250",
            ["Notifly:Channels:Webhook:Timeout"] = "00:00:02",
            // Test receivers listen on loopback, which webhooks may not reach unless allowed.
            ["Notifly:Channels:Webhook:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Notifly:Secrets:Keys:test-1"] = TestSecretsKey,
            ["Notifly:Secrets:ActiveKey"] = "test-1",
            ["Notifly:Operator:Tokens:0"] = OperatorToken,
            ["Notifly:Auth:SigningKeys:0"] = TestSecretsKey, // any 32 bytes will do
            ["Notifly:Channels:Smtp:Port"] = "2", // nothing listens there unless a test sets a sink
            ["Notifly:Channels:Smtp:Timeout"] = "00:00:02",
            // Every node in this process hosts its own silo: its own ports, and its own cluster
            // so that it never joins another test's.
            ["Notifly:Orleans:SiloPort"] = FreeTcpPort.Pick().ToString(CultureInfo.InvariantCulture),
            ["Notifly:Orleans:GatewayPort"] = FreeTcpPort.Pick().ToString(CultureInfo.InvariantCulture),
            ["Notifly:Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}",
        };
        if (role == NotiflyRole.Api && settings?.Keys.Any(k => k.StartsWith("Notifly:Orleans:Gateways", StringComparison.Ordinal) || k == "Notifly:Orleans:Redis") != true)
        {
            // It would wait for a gateway for ever.
            throw new ArgumentException("An api node is a client of a silo: pass another node's GatewaySettings()", nameof(settings));
        }

        if (settings?.Keys.Any(k => k.StartsWith("Notifly:Secrets:Keys:", StringComparison.Ordinal)) == true)
        {
            config.Remove("Notifly:Secrets:Keys:test-1"); // the test names its own keys
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = NotiflyApp.Build([], builder =>
        {
            builder.WebHost.UseUrls(urls ?? ["http://127.0.0.1:0"]);
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
            services?.Invoke(builder.Services);
        });
        try
        {
            await app.StartAsync();
            await app.Services.GetRequiredService<PostgresListener>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
            return new NotiflyNode(app, app.Urls.First());
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Settings that make another node an api node of this node's silo: its gateway and cluster.</summary>
    public Dictionary<string, string?> GatewaySettings()
    {
        var configuration = Services.GetRequiredService<IConfiguration>();
        return new Dictionary<string, string?>
        {
            ["Notifly:Orleans:Gateways:0"] = $"127.0.0.1:{configuration["Notifly:Orleans:GatewayPort"]}",
            ["Notifly:Orleans:ClusterId"] = configuration["Notifly:Orleans:ClusterId"],
        };
    }

    /// <summary><see cref="GatewaySettings"/> as a child process's environment.</summary>
    public Dictionary<string, string> GatewayEnvironment() =>
        GatewaySettings().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseAddress) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>A client of the operator API (<c>/api/operator</c>).</summary>
    public HttpClient OperatorClient() => Client(OperatorToken);

    /// <summary>A fresh tenant and its admin key: isolation by unique names, no clean-up needed.</summary>
    public async Task<TestTenant> CreateTenantAsync()
    {
        var slug = $"t-{Guid.NewGuid():N}";
        var (tenant, key) = await Services.GetRequiredService<TenantService>().CreateAsync(slug, slug, CancellationToken.None);
        return new TestTenant(tenant.Id, key.Secret, Client(key.Secret));
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
