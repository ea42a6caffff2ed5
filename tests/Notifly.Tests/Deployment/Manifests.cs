using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.Deployment;

/// <summary>
/// k8s/ rendered with <c>kubectl kustomize</c> (once per overlay per test run) and read back as
/// JSON, and the Node checks of tests/k8s-validator run on it.
/// </summary>
public static class Manifests
{
    public static readonly string[] Overlays = ["base", "overlays/dev", "overlays/prod"];

    private static readonly ConcurrentDictionary<string, Lazy<Task<Rendered>>> Renders = new();

    public static string Root => Path.Combine(Repository.Root, "k8s");

    public static string GrafanaDashboard => Path.Combine(Root, "monitoring", "grafana", "notifly.json");

    public static Task<Rendered> RenderAsync(string overlay) =>
        Renders.GetOrAdd(overlay, o => new Lazy<Task<Rendered>>(() => RenderNowAsync(o))).Value;

    /// <summary>Runs one of tests/k8s-validator's scripts.</summary>
    internal static Task<ProcessResult> CheckAsync(string script, params string[] arguments) =>
        ProcessRunner.RunUncheckedAsync("node", [Path.Combine(Repository.Root, "tests", "k8s-validator", script), .. arguments], CancellationToken.None);

    /// <summary>The metric names that prod's alert rules and the Grafana dashboard read.</summary>
    public static async Task<IReadOnlyList<string>> AlertSeriesAsync()
    {
        var prod = await RenderAsync("overlays/prod");
        var result = await CheckAsync("promql.mjs", "--series", prod.File, GrafanaDashboard);
        result.ExitCode.Should().Be(0, result.StandardError);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static async Task<Rendered> RenderNowAsync(string overlay)
    {
        var kustomized = await ProcessRunner.RunUncheckedAsync("kubectl", ["kustomize", Path.Combine(Root, overlay)], CancellationToken.None);
        kustomized.ExitCode.Should().Be(0, $"kubectl kustomize k8s/{overlay} said {kustomized.StandardError}");
        var file = Path.Combine(Path.GetTempPath(), $"notifly-k8s-{overlay.Replace('/', '-')}-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, kustomized.StandardOutput);
        var json = await CheckAsync("to-json.mjs", file);
        json.ExitCode.Should().Be(0, json.StandardError);
        return new Rendered(overlay, file, kustomized.StandardError, JsonNode.Parse(json.StandardOutput)!.AsArray().Select(o => o!.AsObject()).ToArray());
    }

    /// <param name="Warnings">What kubectl printed on stderr (deprecations, …): nothing, when all is well.</param>
    public sealed record Rendered(string Overlay, string File, string Warnings, IReadOnlyList<JsonObject> Objects)
    {
        public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

        public JsonObject? Find(string kind, string name) => OfKind(kind).FirstOrDefault(o => (string?)o["metadata"]!["name"] == name);
    }
}
