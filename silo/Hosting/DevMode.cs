using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.Api.Dashboard;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Kafka;
using Notifly.Grains.Tenants;
using Notifly.Silo.Hosting.DevMailbox;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Single-node mode (README's first command): a private PostgreSQL under <c>.notifly/</c> (or
/// where <see cref="DevDataDirectory"/> says), the API and the silo in one process, an embedded
/// Kafka and a local mailbox unless real ones are configured, a demo tenant and a ready-to-paste
/// curl. Running it again reuses the data and the demo key.
/// </summary>
public static partial class DevMode
{
    /// <summary>Where single-node mode keeps its operator token, under NOTIFLY_HOME.</summary>
    public const string OperatorTokenFile = "operator.token";

    public static async Task<int> RunAsync(string[] args)
    {
        var home = Environment.GetEnvironmentVariable("NOTIFLY_HOME") ?? Path.Combine(Directory.GetCurrentDirectory(), ".notifly");
        Directory.CreateDirectory(home);
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggerFactory.CreateLogger("Notifly.Dev");

        var binaries = await PostgresBinaries.LocateAsync(binDirectory: null, CancellationToken.None);
        var dataDirectory = await DevDataDirectory.ChooseAsync(
            home, DevDataDirectory.DefaultFallbackRoot, binaries.ServerUserCanReachAsync, CancellationToken.None);
        if (dataDirectory.FallbackReason is { } reason)
        {
            LogDataDirectoryMoved(logger, dataDirectory.Path, reason);
        }

        await using var postgres = await PrivatePostgres.StartAsync(
            new PrivatePostgresOptions { DataDirectory = dataDirectory.Path, KeepData = true, Database = "notifly" },
            logger, CancellationToken.None);

        MockKafkaCluster? embeddedKafka = null;
        KafkaTopics? topics = null;
        LocalSmtpServer? mailbox = null;
        var email = string.Empty;
        var app = NotiflyApp.Build(args, builder =>
        {
            builder.Configuration["ConnectionStrings:Notifly"] = postgres.ConnectionString;
            if (!builder.Configuration.GetSection("Notifly:Channels:Webhook:AllowedNetworks").GetChildren().Any())
            {
                // The built-in /dev/webhook-sink is on this machine: single-node mode may call loopback.
                builder.Configuration["Notifly:Channels:Webhook:AllowedNetworks:0"] = "127.0.0.0/8";
                builder.Configuration["Notifly:Channels:Webhook:AllowedNetworks:1"] = "::1/128";
            }

            if (!builder.Configuration.GetSection("Notifly:Secrets:Keys").GetChildren().Any())
            {
                // Provider credentials and webhook secrets are sealed at rest: single-node mode keeps
                // its own key beside its data, readable only by this user.
                builder.Configuration["Notifly:Secrets:Keys:dev"] = EnsureRandomSecret(Path.Combine(home, "secrets.key"));
                builder.Configuration["Notifly:Secrets:ActiveKey"] = "dev";
            }

            if (!builder.Configuration.GetSection("Notifly:Operator:Tokens").GetChildren().Any())
            {
                // The operator API (and `notifly tenants`, which finds the token here) works out of the box.
                builder.Configuration["Notifly:Operator:Tokens:0"] = EnsureRandomSecret(Path.Combine(home, OperatorTokenFile));
            }

            if (!builder.Configuration.GetSection("Notifly:Auth:SigningKeys").GetChildren().Any())
            {
                // Users' access tokens stay valid across restarts: the key is kept beside the data.
                builder.Configuration["Notifly:Auth:SigningKeys:0"] = EnsureRandomSecret(Path.Combine(home, "auth-signing.key"));
            }

            // Single-node mode is for looking inside: the Orleans Dashboard is on unless turned off.
            builder.Configuration[$"{OrleansDashboardOptions.Section}:Enabled"] ??= "true";

            topics = new KafkaTopics(builder.Configuration["Kafka:TopicPrefix"] ?? "");
            if (string.IsNullOrWhiteSpace(builder.Configuration["Kafka:BootstrapServers"]))
            {
                embeddedKafka = EmbeddedKafka.Start(topics, logger);
                builder.Configuration["Kafka:BootstrapServers"] = embeddedKafka.BootstrapServers;
            }

            (mailbox, email) = ConfigureEmail(builder, loggerFactory);
            builder.Services.AddSingleton<DevWebhookSink>();
            // the dashboard shows its pages for the mailbox and the webhook sink
            builder.Configuration[DashboardHosting.DevToolsSetting] = "true";
        });

        DevWebhookSink.Map(app);
        if (mailbox is not null)
        {
            app.MapDevMailboxApi();
        }

        await app.StartAsync();
        var demo = await EnsureDemoTenantAsync(app.Services, Path.Combine(home, "demo-tenant.json"));
        var url = app.Urls.FirstOrDefault() ?? "http://localhost:8080";
        var dashboard = app.Services.GetRequiredService<IOptions<OrleansDashboardOptions>>().Value;
        var operatorToken = app.Services.GetRequiredService<IOptions<Api.Operator.OperatorOptions>>().Value.Tokens.FirstOrDefault();
        Console.WriteLine(DevBanner.Running(url, demo.TenantId, demo.ApiKey, postgres.ConnectionString, dataDirectory, email, mailbox is not null,
            dashboard.Enabled ? dashboard.Path : null, operatorToken));
        if (embeddedKafka is not null)
        {
            Console.WriteLine(DevBanner.Kafka(url, demo.TenantId, embeddedKafka.BootstrapServers, topics!));
        }

        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        embeddedKafka?.Dispose(); // after the app: its consumer and producers must not outlive the brokers
        if (mailbox is not null)
        {
            await mailbox.DisposeAsync(); // after the app too: a send in flight while it stops should still land
        }

        return 0;
    }

    /// <summary>
    /// Where email goes, as the banner says it. SendGrid or an SMTP host when one is configured;
    /// otherwise README's first example would fail five times and end in the DLQ, so the mail is
    /// caught locally instead, over real SMTP, and shown at /dev/mailbox.
    /// </summary>
    private static (LocalSmtpServer? Mailbox, string Email) ConfigureEmail(WebApplicationBuilder builder, ILoggerFactory loggerFactory)
    {
        var configuration = builder.Configuration;
        if (!string.IsNullOrWhiteSpace(configuration[$"{SendGridOptions.SectionName}:{nameof(SendGridOptions.ApiKey)}"]))
        {
            return (null, "through SendGrid");
        }

        const string host = $"{SmtpOptions.SectionName}:{nameof(SmtpOptions.Host)}";
        const string port = $"{SmtpOptions.SectionName}:{nameof(SmtpOptions.Port)}";
        if (!string.IsNullOrWhiteSpace(configuration[host]))
        {
            return (null, $"to SMTP {configuration[host]}:{configuration[port] ?? "25"}");
        }

        var options = configuration.GetSection(DevMailboxOptions.SectionName).Get<DevMailboxOptions>() ?? new DevMailboxOptions();
        var mailbox = LocalSmtpServer.Start(options, loggerFactory.CreateLogger("Notifly.Dev.Mailbox"));
        configuration[host] = mailbox.Host;
        configuration[port] = mailbox.Port.ToString(CultureInfo.InvariantCulture);
        builder.Services.AddSingleton(mailbox.Inbox);
        return (mailbox, $"captured by a local mailbox (SMTP {mailbox.Host}:{mailbox.Port}, newest {options.Capacity} kept in memory)");
    }

    private static async Task<DemoTenant> EnsureDemoTenantAsync(IServiceProvider services, string file)
    {
        var tenants = services.GetRequiredService<TenantService>();
        var existing = await tenants.FindBySlugAsync("demo", CancellationToken.None);
        if (existing is not null && File.Exists(file))
        {
            var saved = JsonSerializer.Deserialize<DemoTenant>(await File.ReadAllTextAsync(file));
            if (saved?.TenantId == existing.Id)
            {
                return saved;
            }
        }

        if (existing is not null)
        {
            // The data survived but the saved key did not: mint a new admin key for the demo tenant.
            var database = services.GetRequiredService<Grains.Storage.Database>();
            await using var scope = await database.BeginTenantScopeAsync(existing.Id, null, CancellationToken.None);
            var key = await services.GetRequiredService<ApiKeyService>().CreateAsync(scope, "demo admin", ApiPrincipal.AdminRole, "dev", CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
            return await SaveAsync(new DemoTenant(existing.Id, key.Secret), file);
        }

        var (tenant, adminKey) = await tenants.CreateAsync("Demo", "demo", CancellationToken.None);
        return await SaveAsync(new DemoTenant(tenant.Id, adminKey.Secret), file);
    }

    private static string EnsureRandomSecret(string file)
    {
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            RestrictToOwner(file);
        }

        return File.ReadAllText(file).Trim();
    }

    private static void RestrictToOwner(string file)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static async Task<DemoTenant> SaveAsync(DemoTenant demo, string file)
    {
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(demo));
        RestrictToOwner(file); // it holds an admin key
        return demo;
    }

    private sealed record DemoTenant(Guid TenantId, string ApiKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL data directory: {DataDirectory}, not under NOTIFLY_HOME: {Reason}")]
    private static partial void LogDataDirectoryMoved(ILogger logger, string dataDirectory, string reason);
}
