using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Notifly.Bench.Database;
using Notifly.Grains.Intake;
using Notifly.Grains.Runtime;
using Notifly.Grains.Tenants;
using Notifly.Silo.Hosting;

namespace Notifly.Bench.Hosting;

/// <summary>
/// What the benchmark measures: a private PostgreSQL with durable settings in a temporary
/// directory, the real Notifly composition on Kestrel at a free loopback port, and for role All a
/// webhook receiver that answers 204 at once; for role Api, the silo whose client it is (hosting
/// grains, delivering nothing), a child process. Disposing stops them all and deletes the directory.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly string _home;
    private readonly PrivatePostgres _postgres;
    private readonly WebApplication _app;
    private readonly ChildNode? _silo;
    private readonly WebhookSink? _sink;

    private readonly IReadOnlyDictionary<string, string> _settings;

    private BenchHost(
        string home, PrivatePostgres postgres, WebApplication app, ChildNode? silo, WebhookSink? sink, string webhookUrl,
        IReadOnlyDictionary<string, string> settings)
    {
        _settings = settings;
        _silo = silo;
        _home = home;
        _postgres = postgres;
        _app = app;
        _sink = sink;
        BaseAddress = app.Urls.First().TrimEnd('/');
        WebhookUrl = webhookUrl;
    }

    public string BaseAddress { get; }

    /// <summary>The receiver's URL for role All; for role Api a discard port nothing ever calls.</summary>
    public string WebhookUrl { get; }

    public long WebhooksReceived => _sink?.Received ?? 0;

    public string DataDirectory => _postgres.DataDirectory;

    public string ConnectionString => _postgres.ConnectionString;

    /// <summary>The run's <c>--set</c> settings, which every node of the run gets.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings => _settings.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value));

    public NpgsqlDataSource DataSource => _app.Services.GetRequiredService<Grains.Storage.Database>().DataSource;

    public IntakeOptions Intake => _app.Services.GetRequiredService<IOptions<IntakeOptions>>().Value;

    public IntakeBatch IntakeBatch => _app.Services.GetRequiredService<IntakeBatch>();

    /// <summary>The REST intake's group commit, for phases that submit without HTTP.</summary>
    public IntakeWriter IntakeWriter => _app.Services.GetRequiredService<IntakeWriter>();

    public static async Task<BenchHost> StartAsync(
        NotiflyRole role, IReadOnlyDictionary<string, string> settings, bool pgStats, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var home = Path.Combine(Path.GetTempPath(), "notifly-bench-" + Guid.NewGuid().ToString("N")[..12]);
        PrivatePostgres? postgres = null;
        WebhookSink? sink = null;
        WebApplication? app = null;
        ChildNode? silo = null;
        try
        {
            // KeepData: the durable settings (fsync, synchronous_commit and full_page_writes on), as in
            // production; with false the server runs with fsync off and a 202 would mean nothing.
            // The directory is ours and is deleted on dispose.
            var postgresOptions = new PrivatePostgresOptions { DataDirectory = Path.Combine(home, "pg"), KeepData = true };
            if (pgStats)
            {
                postgresOptions.ExtraSettings["shared_preload_libraries"] = "'pg_stat_statements'";
            }

            postgres = await PrivatePostgres.StartAsync(postgresOptions, loggers.CreateLogger("Notifly.Bench.Postgres"), cancellationToken);
            if (pgStats)
            {
                await using var connection = new NpgsqlConnection(postgres.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            string webhookUrl;
            if (role == NotiflyRole.All)
            {
                sink = await WebhookSink.StartAsync(cancellationToken);
                webhookUrl = sink.Url;
            }
            else
            {
                webhookUrl = "http://127.0.0.1:9/hook"; // intake only: the dispatcher that would call it is not running
            }

            var appSettings = settings.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)).ToList();
            if (role == NotiflyRole.Api)
            {
                // An api node is a client of a silo (docs/0021): one that hosts the tenant grains
                // but delivers nothing, so the intake phases' backlog waits for the dispatch
                // phases. In its own process, as in a deployment: its CPU is not the api node's.
                var siloSettings = NodeDefaults(postgres.ConnectionString, NotiflyRole.Worker);
                foreach (var (key, value) in appSettings)
                {
                    siloSettings[key] = value;
                }

                siloSettings["Notifly:Dispatch:Enabled"] = "false";
                silo = await ChildNode.StartAsync(siloSettings, cancellationToken);
                appSettings.Add(new("Notifly:Orleans:Gateways:0", $"127.0.0.1:{siloSettings["Notifly:Orleans:GatewayPort"]}"));
                appSettings.Add(new("Notifly:Orleans:ClusterId", siloSettings["Notifly:Orleans:ClusterId"]));
            }

            app = Build(role, postgres.ConnectionString, appSettings);
            app.MapBreakdownEndpoints();
            await app.StartAsync(cancellationToken);
            await app.Services.GetRequiredService<PostgresListener>().Listening.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return new BenchHost(home, postgres, app, silo, sink, webhookUrl, settings);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            silo?.Dispose();

            if (sink is not null)
            {
                await sink.DisposeAsync();
            }

            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            DeleteHome(home);
            throw;
        }
    }

    /// <summary>
    /// A second Notifly process's worth of services on the same database (the run's --set
    /// settings, then <paramref name="extra"/>), for phases that need a differently configured node.
    /// </summary>
    public async Task<BenchNode> StartNodeAsync(NotiflyRole role, IReadOnlyDictionary<string, string?> extra, CancellationToken cancellationToken)
    {
        var app = Build(role, _postgres.ConnectionString,
            _settings.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)).Concat(extra));
        try
        {
            await app.StartAsync(cancellationToken);
            return new BenchNode(app, StopTimeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static WebApplication Build(NotiflyRole role, string connectionString, IEnumerable<KeyValuePair<string, string?>> settings) =>
        NotiflyApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(NodeDefaults(connectionString, role));
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        });

    /// <summary>What every node of the benchmark is configured with before the run's and the phase's own settings.</summary>
    public static Dictionary<string, string?> NodeDefaults(string connectionString, NotiflyRole role) =>
            new()
            {
                ["ConnectionStrings:Notifly"] = connectionString,
                ["Notifly:Role"] = role.ToString(),
                ["Notifly:Channels:Webhook:AllowedNetworks:0"] = "127.0.0.0/8", // the benchmark's receivers are on loopback
                // The bench measures throughput, not throttling: seed 000's 1000 a minute would
                // refuse almost all of its ~17k requests/s for one tenant (docs/0006). Bigger
                // blocks keep the bucket row out of the hot path at that rate. --set overrides.
                ["Notifly:RateLimits:DefaultRequestsPerMinute"] = "1000000000",
                ["Notifly:RateLimits:DefaultRequestsPerHour"] = "1000000000",
                ["Notifly:RateLimits:DefaultBurstLimit"] = "1000000000",
                ["Notifly:RateLimits:MaxLeaseBlock"] = "1000",
                // A phase may run a second node in this process: each silo gets its own ports and cluster.
                ["Notifly:Orleans:SiloPort"] = LoopbackPort.Pick().ToString(CultureInfo.InvariantCulture),
                ["Notifly:Orleans:GatewayPort"] = LoopbackPort.Pick().ToString(CultureInfo.InvariantCulture),
                ["Notifly:Orleans:ClusterId"] = $"bench-{Guid.NewGuid():N}",
            };

    public async Task<BenchTenant> CreateTenantAsync(string phase, CancellationToken cancellationToken)
    {
        var slug = $"bench-{phase}-{Guid.NewGuid():N}"[..40];
        var (tenant, key) = await _app.Services.GetRequiredService<TenantService>().CreateAsync(slug, slug, cancellationToken);
        return new BenchTenant(tenant.Id, key.Key.Id, key.Key.Prefix, key.Secret);
    }

    public async ValueTask DisposeAsync()
    {
        using (var stopping = new CancellationTokenSource(StopTimeout))
        {
            await _app.StopAsync(stopping.Token);
        }

        await _app.DisposeAsync();
        _silo?.Dispose(); // nothing of it to keep: it delivered nothing

        if (_sink is not null)
        {
            await _sink.DisposeAsync();
        }

        await _postgres.DisposeAsync();
        DeleteHome(_home);
    }

    private static void DeleteHome(string home)
    {
        try
        {
            Directory.Delete(home, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // never created
        }
    }
}
