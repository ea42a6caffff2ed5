// k8s/: every overlay renders with kubectl's kustomize without a warning; every object passes the
// Kubernetes or its operator's schema (tests/k8s-validator); every setting a Notifly container
// is given is one the app binds, with a value it can read; every secret it needs is wired to a
// Secret that exists, or that CloudNativePG, Strimzi or the README's `kubectl create secret`
// makes; the monitoring's PromQL parses and its scrape port exists.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.Deployment;

public partial class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => [.. Manifests.Overlays];

    public static TheoryData<string> Deployable => ["overlays/dev", "overlays/prod"];

    // Settings that are the platform's or the framework's, not Notifly's own catalog's.
    private static readonly string[] FrameworkSettings = ["Urls", "ASPNETCORE_URLS", "shutdownTimeoutSeconds", "POD_NAME", "POD_NAMESPACE"];

    private static readonly string[] FrameworkPrefixes = ["Logging__", "OTEL_", "DOTNET_", "ASPNETCORE_"];

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Renders_without_warnings(string overlay)
    {
        var rendered = await Manifests.RenderAsync(overlay);

        rendered.Warnings.Should().BeEmpty();
        rendered.Objects.Should().NotBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_object_passes_its_schema(string overlay)
    {
        var rendered = await Manifests.RenderAsync(overlay);

        var result = await Manifests.CheckAsync("validate.mjs", rendered.File);

        result.ExitCode.Should().Be(0, $"the validator said {result.StandardOutput}{result.StandardError}");
    }

    [Fact]
    public async Task The_monitoring_rules_and_dashboard_parse_and_scrape_a_port_the_pods_have()
    {
        var prod = await Manifests.RenderAsync("overlays/prod");

        var result = await Manifests.CheckAsync("promql.mjs", prod.File, Manifests.GrafanaDashboard);
        result.ExitCode.Should().Be(0, result.StandardError);

        var monitor = prod.OfKind("PodMonitor").Should().ContainSingle().Subject;
        var ports = monitor["spec"]!["podMetricsEndpoints"]!.AsArray().Select(e => (string)e!["port"]!).ToArray();
        foreach (var workload in NotiflyContainers(prod))
        {
            var named = workload.Container["ports"]!.AsArray().Select(p => (string?)p!["name"]).ToArray();
            named.Should().Contain(ports, $"{workload.Name} is scraped on that port");
            var port = workload.Container["ports"]!.AsArray().Single(p => (string?)p!["name"] == ports[0])!["containerPort"]!.GetValue<int>();
            workload.Settings.Should().Contain(s => s.Name == "Notifly__Metrics__Port" && s.Value == port.ToString(),
                "/metrics answers only on the port the PodMonitor scrapes");
        }
    }

    [Theory]
    [MemberData(nameof(Deployable))]
    public async Task Every_setting_is_one_the_app_binds(string overlay)
    {
        var rendered = await Manifests.RenderAsync(overlay);
        var workloads = NotiflyContainers(rendered).ToArray();
        workloads.Select(w => w.Role).Should().BeEquivalentTo(["Worker", "Api"]);

        foreach (var workload in workloads)
        {
            var referenced = workload.Settings.Where(s => s.Value is not null)
                .SelectMany(s => Interpolated().Matches(s.Value!).Select(m => m.Groups[1].Value)).ToHashSet();
            foreach (var setting in workload.Settings)
            {
                var key = setting.Name.Replace("__", ":", StringComparison.Ordinal);
                if (SettingsCatalog.OwnPrefixes.Any(p => key.StartsWith(p + ":", StringComparison.OrdinalIgnoreCase)))
                {
                    var value = setting.Value is { } v && !Interpolated().IsMatch(v) ? v : null;
                    SettingsCatalog.Problem(key, value).Should().BeNull($"{workload.Name} sets {setting.Name}");
                }
                else
                {
                    (FrameworkSettings.Contains(setting.Name) || FrameworkPrefixes.Any(p => setting.Name.StartsWith(p, StringComparison.Ordinal))
                        || referenced.Contains(setting.Name)).Should().BeTrue(
                            $"{workload.Name} sets {setting.Name}, which is neither Notifly's nor the framework's nor used by another variable");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Deployable))]
    public async Task Every_setting_the_app_needs_is_there_and_every_secret_is_wired(string overlay)
    {
        var rendered = await Manifests.RenderAsync(overlay);
        var documented = DocumentedSecretKeys();

        foreach (var workload in NotiflyContainers(rendered))
        {
            var settings = workload.Settings.ToDictionary(s => s.Name);
            string[] required =
            [
                "ConnectionStrings__Notifly", "Notifly__PublicBaseUrl", "Notifly__Secrets__ActiveKey", "Notifly__Auth__SigningKeys__0",
                "Notifly__Operator__Tokens__0", "Notifly__Orleans__Clustering", "Notifly__Orleans__Redis", "Notifly__Orleans__ClusterId",
                "Urls", "shutdownTimeoutSeconds",
            ];
            settings.Keys.Should().Contain(required, workload.Name);
            settings["Notifly__Orleans__Clustering"].Value.Should().Be("Redis");
            var activeKey = settings["Notifly__Secrets__ActiveKey"].Value;
            settings.Should().ContainKey($"Notifly__Secrets__Keys__{activeKey}", "the active key must be one of the keys");
            if (workload.Role == "Worker")
            {
                settings.Keys.Should().Contain(["Kafka__BootstrapServers", "Notifly__Orleans__AdvertisedAddress"]);
                settings["Notifly__Orleans__AdvertisedAddress"].FieldPath.Should().Be("status.podIP");
            }

            foreach (var setting in workload.Settings.Where(s => IsSecret(s.Name)))
            {
                if (setting.Secret is null)
                {
                    // A literal may only compose secrets from other variables, e.g. Password=$(PGPASSWORD).
                    setting.Value.Should().NotBeNull($"{workload.Name}'s {setting.Name} comes from a Secret or is composed of them");
                    foreach (var part in SecretParts().Matches(setting.Value!).Select(m => m.Groups[2].Value))
                    {
                        var reference = Interpolated().Match(part);
                        (reference.Success && part == reference.Value && settings.GetValueOrDefault(reference.Groups[1].Value)?.Secret is not null)
                            .Should().BeTrue($"{workload.Name}'s {setting.Name} may hold a secret only as $(a variable from a Secret), not '{part}'");
                    }
                }
            }

            var references = workload.Settings.Where(s => s.Secret is not null).Select(s => (s.Secret!.Value.Name, s.Secret.Value.Key, Where: s.Name))
                .Concat(workload.SecretVolumes.Select(v => (v.Name, v.Key, Where: $"volume {v.Name}")));
            foreach (var (name, key, where) in references)
            {
                SecretKeyExists(rendered, documented, name, key).Should().BeTrue(
                    $"{workload.Name}'s {where} reads key '{key}' of Secret '{name}', which neither the manifests, an operator nor README's `kubectl create secret` makes");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Deployable))]
    public async Task A_pod_is_given_longer_than_the_host_waits_to_stop(string overlay)
    {
        var rendered = await Manifests.RenderAsync(overlay);

        foreach (var workload in NotiflyContainers(rendered))
        {
            var shutdown = int.Parse(workload.Settings.Single(s => s.Name == "shutdownTimeoutSeconds").Value!);
            var grace = workload.Pod["terminationGracePeriodSeconds"]!.GetValue<int>();
            var preStop = workload.Container["lifecycle"]?["preStop"]?["sleep"]?["seconds"]?.GetValue<int>() ?? 0;
            grace.Should().BeGreaterThan(preStop + shutdown, $"{workload.Name} would be killed before it has stopped");
        }
    }

    [Fact]
    public void The_host_takes_its_shutdown_timeout_from_the_setting_the_manifests_use()
    {
        var app = NotiflyApp.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Notifly"] = "Host=127.0.0.1;Port=1",
            ["shutdownTimeoutSeconds"] = "77",
        }));

        app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(77));
    }

    private static bool IsSecret(string name) =>
        name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
        || SecretName().IsMatch(name.Split("__")[^1]) || SecretName().IsMatch(name.Split("__").Length > 1 ? name.Split("__")[^2] : "");

    /// <summary>A Secret and key the rendered objects, an operator among them, or the README's command creates.</summary>
    private static bool SecretKeyExists(Manifests.Rendered rendered, IReadOnlySet<string> documented, string name, string key)
    {
        if (rendered.Find("Secret", name) is { } secret)
        {
            return secret["data"]?[key] is not null || secret["stringData"]?[key] is not null;
        }

        string[] pgApp = ["username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass"];
        var made = rendered.OfKind("Cluster").Where(c => ((string)c["apiVersion"]!).StartsWith("postgresql.cnpg.io/", StringComparison.Ordinal))
                .SelectMany(c => new[] { ($"{Name(c)}-app", pgApp), ($"{Name(c)}-ca", new[] { "ca.crt" }) })
            .Concat(rendered.OfKind("KafkaUser").Select(u => (Name(u), new[] { "password", "sasl.jaas.config" })))
            .Concat(rendered.OfKind("Kafka").Select(k => ($"{Name(k)}-cluster-ca-cert", new[] { "ca.crt" })));
        if (made.FirstOrDefault(m => m.Item1 == name) is { Item2: { } keys })
        {
            return keys.Contains(key);
        }

        return documented.Contains($"{name}/{key}");
    }

    private static string Name(JsonObject o) => (string)o["metadata"]!["name"]!;

    /// <summary>The Secret keys README's `kubectl create secret generic NAME --from-literal=KEY=…` lines create, as NAME/KEY.</summary>
    private static HashSet<string> DocumentedSecretKeys()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match command in CreateSecret().Matches(readme))
        {
            foreach (Match literal in FromLiteral().Matches(command.Groups[2].Value))
            {
                keys.Add($"{command.Groups[1].Value}/{literal.Groups[1].Value}");
            }
        }

        return keys;
    }

    private static IEnumerable<Workload> NotiflyContainers(Manifests.Rendered rendered)
    {
        foreach (var workload in rendered.OfKind("Deployment").Concat(rendered.OfKind("StatefulSet")))
        {
            var pod = workload["spec"]!["template"]!["spec"]!.AsObject();
            var container = pod["containers"]!.AsArray().Select(c => c!.AsObject()).FirstOrDefault(c => (string?)c["name"] == "notifly");
            if (container is null)
            {
                continue;
            }

            var settings = new List<Setting>();
            foreach (var from in container["envFrom"]?.AsArray() ?? [])
            {
                if (from!["configMapRef"]?["name"] is { } map)
                {
                    settings.AddRange(rendered.Find("ConfigMap", (string)map!)!["data"]!.AsObject().Select(d => new Setting(d.Key, (string?)d.Value, null, null)));
                }
            }

            foreach (var env in container["env"]?.AsArray() ?? [])
            {
                var name = (string)env!["name"]!;
                var from = env["valueFrom"];
                settings.RemoveAll(s => s.Name == name);
                settings.Add(from switch
                {
                    null => new Setting(name, (string?)env["value"], null, null),
                    _ when from["secretKeyRef"] is { } s => new Setting(name, null, ((string)s["name"]!, (string)s["key"]!), null),
                    _ when from["configMapKeyRef"] is { } c => new Setting(name,
                        (string?)rendered.Find("ConfigMap", (string)c["name"]!)?["data"]?[(string)c["key"]!]
                        ?? throw new Xunit.Sdk.XunitException($"{name} reads a ConfigMap key that does not exist: {c.ToJsonString()}"), null, null),
                    _ when from["fieldRef"] is { } f => new Setting(name, null, null, (string)f["fieldPath"]!),
                    _ => throw new Xunit.Sdk.XunitException($"{name}: unexpected valueFrom {from.ToJsonString()}"),
                });
            }

            var volumes = (pod["volumes"]?.AsArray() ?? []).Where(v => v!["secret"] is not null)
                .SelectMany(v => (v!["secret"]!["items"]?.AsArray() ?? []).Select(i => ((string)v["secret"]!["secretName"]!, (string)i!["key"]!))
                    .DefaultIfEmpty(((string)v["secret"]!["secretName"]!, "")))
                .Where(v => v.Item2 != "")
                .ToArray();
            var role = settings.FirstOrDefault(s => s.Name == "Notifly__Role")?.Value ?? "All";
            yield return new Workload((string)workload["metadata"]!["name"]!, role, pod, container, settings, volumes);
        }
    }

    private sealed record Setting(string Name, string? Value, (string Name, string Key)? Secret, string? FieldPath);

    private sealed record Workload(
        string Name, string Role, JsonObject Pod, JsonObject Container, IReadOnlyList<Setting> Settings, IReadOnlyList<(string Name, string Key)> SecretVolumes);

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Interpolated();

    [GeneratedRegex("(Password|Passwords|Token|Tokens|Keys|SigningKeys|ApiKey|AuthToken|ServiceAccountJson|SaslPassword)$")]
    private static partial Regex SecretName();

    // Key=value parts of a connection string that hold a secret.
    [GeneratedRegex(@"(Password|Pwd)=([^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretParts();

    [GeneratedRegex(@"kubectl[^\n]*create secret generic ([a-z0-9-]+)((?:[^\n]*\\\n)*[^\n]*)")]
    private static partial Regex CreateSecret();

    [GeneratedRegex(@"--from-(?:literal|file)=([A-Za-z0-9._-]+)=")]
    private static partial Regex FromLiteral();
}
